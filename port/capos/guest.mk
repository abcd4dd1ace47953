# port/capos/guest.mk — `make guest` and `make qemu-test` (included by the
# top-level Makefile, which provides CORE_SRC, WARN and BEARSSL_A).
#
# The guest is always built with gcc, whatever CC/VARIANT say (the asan and
# fuzz variants use clang with host-only runtimes). Everything goes under
# build/guest/: obj/ (one .o and .d per source), include/ (symlinks to
# just the BearSSL headers, so that -nostdinc cannot fall back to glibc's
# headers through /usr/include), captls64.elf (the linked image, with
# symbols, for addr2line on a fault's rip) and captls.elf (the same image
# as ELF32, which QEMU's multiboot loader requires).

GUEST_B      := $(or $(BUILD_DIR),build)/guest
GUEST_ELF    := $(GUEST_B)/captls.elf
GUEST_ELF64  := $(GUEST_B)/captls64.elf
GUEST_CC     := gcc
GUEST_LD     := ld
GUEST_OBJCOPY := objcopy
GUEST_BEARSSL_INC := $(GUEST_B)/include
GUEST_CC_INC := $(shell $(GUEST_CC) -print-file-name=include 2>/dev/null)

# -ffreestanding -nostdinc: no libc, headers from port/capos/include (ours;
#   -I rather than -isystem so -MMD tracks them), gcc's own dir
#   (stddef/stdint/stdbool) and BearSSL's only;
# -mno-red-zone: exceptions push onto the interrupted stack; -mno-mmx: no
#   x87/MMX state games; SSE stays enabled (the x86_64 ABI and
#   libbearssl.a rely on it; boot.S turns it on);
# -fno-pic -fno-pie: linked at a fixed address; the default small code
#   model fits (everything lives below 2 GiB);
# -fstack-protector-strong: canary at %fs:0x28, set up by boot.S;
# -fno-tree-loop-distribute-patterns: gcc must not turn the loops in
#   libc_shims.c into calls to memset/memcpy (infinite recursion);
# -ffunction-sections/-fdata-sections + --gc-sections: drop unused code.
GUEST_CFLAGS := -std=c11 $(WARN) -O2 \
    -ffreestanding -nostdinc \
    -I. -Iport/capos/include -isystem $(GUEST_CC_INC) \
    -isystem $(GUEST_BEARSSL_INC) \
    -mno-red-zone -mno-mmx -fno-pic -fno-pie \
    -fstack-protector-strong -fno-tree-loop-distribute-patterns \
    -fno-asynchronous-unwind-tables -fno-unwind-tables -fno-common \
    -ffunction-sections -fdata-sections
GUEST_ASFLAGS := -fno-pic -fno-pie -I.
GUEST_LDFLAGS := -nostdlib -static -no-pie -T port/capos/guest.ld \
    -z max-page-size=0x1000 -z noexecstack --gc-sections \
    -Map $(GUEST_B)/captls.map

# CORE_SRC minus unit tests and program entry points, filtered by file name
# here because a make pattern holds only one '%' (so `%/test_%.c` in the
# top-level filter matches nothing).
GUEST_CORE_SRC := $(foreach f,$(CORE_SRC),\
    $(if $(filter test_% main_%,$(notdir $(f))),,$(f)))
GUEST_C_SRC := $(sort $(wildcard port/capos/*.c))
GUEST_S_SRC := $(sort $(wildcard port/capos/*.S))
GUEST_OBJ := $(patsubst %.S,$(GUEST_B)/obj/%.o,$(GUEST_S_SRC)) \
             $(patsubst %.c,$(GUEST_B)/obj/%.o,$(GUEST_CORE_SRC) $(GUEST_C_SRC))

# Rebuild everything when the flags change, not only when sources do.
GUEST_FLAGS_STAMP := $(GUEST_B)/flags
GUEST_FLAGS_NOW := $(GUEST_CC) $(GUEST_CFLAGS) | $(GUEST_ASFLAGS) | $(GUEST_LDFLAGS)
ifneq ($(file <$(GUEST_FLAGS_STAMP)),$(GUEST_FLAGS_NOW))
  $(shell mkdir -p $(GUEST_B) && printf '%s' '$(GUEST_FLAGS_NOW)' > $(GUEST_FLAGS_STAMP))
endif

.PHONY: guest qemu-test qemu-telnets
guest: $(GUEST_ELF)

# The telnets gateway in the guest, logged in to from the host (ci/qemu-telnets.sh).
qemu-telnets: guest guest-bridge programs
	ci/qemu-telnets.sh

# Extra arguments for the QEMU run, e.g. make qemu-test QEMU_TEST_ARGS='-append post=fail'
QEMU_TEST_ARGS ?=
qemu-test: guest
	ci/qemu-test.sh $(GUEST_ELF) $(QEMU_TEST_ARGS)

$(GUEST_BEARSSL_INC)/bearssl.h:
	@mkdir -p $(@D)
	ln -sfn /usr/include/bearssl $(@D)/bearssl
	ln -sfn /usr/include/bearssl.h $@

$(GUEST_B)/obj/%.o: %.c $(GUEST_FLAGS_STAMP) | $(GUEST_BEARSSL_INC)/bearssl.h
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(GUEST_B)/obj/%.o: %.S $(GUEST_FLAGS_STAMP)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_ASFLAGS) -MMD -MP -c $< -o $@

$(GUEST_ELF64): $(GUEST_OBJ) port/capos/guest.ld $(BEARSSL_A)
	$(GUEST_LD) $(GUEST_LDFLAGS) -o $@ $(GUEST_OBJ) $(BEARSSL_A)

# QEMU's multiboot loader refuses ELF64; the code is unchanged, only the
# container is ELF32 (all addresses are below 4 GiB).
$(GUEST_ELF): $(GUEST_ELF64)
	$(GUEST_OBJCOPY) -O elf32-i386 $< $@

-include $(GUEST_OBJ:.o=.d)

# The host side of the guest's COM2 link (port/posix/main_guest_bridge.c,
# core/bridge/): a host program, built with the host compiler and variant;
# it needs only the core library.
GUEST_BRIDGE := $(B)/captls-guest-bridge
.PHONY: guest-bridge
guest-bridge: $(GUEST_BRIDGE)
$(GUEST_BRIDGE): $(call obj,port/posix/main_guest_bridge.c) $(CORE_LIB)
	$(CC) $(OPT) $(LDSAN) -o $@ $< $(CORE_LIB) $(HOST_LIBS)
