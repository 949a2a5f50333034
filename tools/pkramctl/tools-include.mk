# SPDX-License-Identifier: GPL-2.0
# The kernel's tools/include, for the attribute macros (__printf, ...) that
# code under tools/ uses: the assembled tree's (build/linux) when there is
# one, else the base tarball's, extracted once into build/tools-include/.
# Added with -idirafter: system headers win, tools/include only fills in
# what they lack (linux/compiler.h). Needs REPO set.
TOOLS_INCLUDE := $(REPO)/build/linux/tools/include
ifeq ($(wildcard $(TOOLS_INCLUDE)/linux/compiler.h),)
TOOLS_INCLUDE := $(REPO)/build/tools-include/tools/include
endif
BASE_TARBALL ?= /usr/src/linux-source-6.12.tar.xz
TOOLS_INCLUDE_DEP := $(TOOLS_INCLUDE)/linux/compiler.h

# the includer's default goal stays its own: this rule must not become it
pkram_saved_goal := $(.DEFAULT_GOAL)
$(REPO)/build/tools-include/tools/include/linux/compiler.h:
	@echo "pkramctl: extracting tools/include from $(BASE_TARBALL)"
	@mkdir -p $(REPO)/build/tools-include
	tar -xJf $(BASE_TARBALL) -C $(REPO)/build/tools-include \
		--strip-components=1 linux-source-6.12/tools/include
	@touch $@
.DEFAULT_GOAL := $(pkram_saved_goal)
