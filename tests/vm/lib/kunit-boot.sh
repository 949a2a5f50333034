# vmtest scenario used by tests/run-check.sh for the KUnit boot: KUnit runs at
# boot (kunit.enable=1 on the command line) before /init; nothing else to do.
vm-pass "kunit boot done"
