# vmtest harness self-test: vm-fail must make vmtest exit 1.
# vmtest-args: --timeout 120
# expect: fail
# expect-match: fail marker: .*selftest-fail: deliberate failure
vm-fail "selftest-fail: deliberate failure"
