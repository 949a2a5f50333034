# vmtest harness self-test: a kernel crash (sysrq 'c' => NULL dereference,
# Oops, panic) must make vmtest exit 1 well before the timeout.
# vmtest-args: --timeout 120
# expect: fail
# expect-match: kernel error: .*(Oops|BUG|Kernel panic|sysrq)
echo "crashing the kernel"
echo c >/proc/sysrq-trigger
sleep 60
vm-pass "the kernel survived sysrq-c?!"
