/* port/capos/boot.S — multiboot-1 entry, the switch to long mode, and the
 * CPU exception stubs.
 *
 * QEMU's multiboot loader (-kernel) enters _start in 32-bit protected mode
 * with paging off, EAX = 0x2BADB002 and EBX = the physical address of the
 * multiboot info, which it places just above the image's highest address
 * (so zeroing .bss cannot clobber it). From there this file:
 *   1. saves EAX/EBX, zeroes .bss (page tables and stacks live there);
 *   2. checks CPUID for long mode, else prints a line on COM1 and exits
 *      through isa-debug-exit with the panic code (see trap.h);
 *   3. identity-maps the first 1 GiB: 2 MiB pages, except the first 2 MiB,
 *      which use 4 KiB pages so that page 0 (NULL) and the page under the
 *      boot stack (the stack guard) can be left unmapped;
 *   4. enables PAE, EFER.LME and paging, and SSE (CR0.EM clear, CR0.MP,
 *      CR4.OSFXSR, CR4.OSXMMEXCPT) since compiled x86_64 code — ours and
 *      libbearssl.a's — uses SSE registers freely;
 *   5. far-jumps to 64-bit code, which points FS base at a small block
 *      holding the stack-protector canary at %fs:0x28 (where Debian's
 *      libbearssl.a and our -fstack-protector code read it), draws the
 *      canary from RDRAND when present (else the TSC), and calls
 *      capos_main(magic, info). Interrupts stay disabled throughout.
 */

#define MB_HEADER_MAGIC 0x1BADB002
#define MB_HEADER_FLAGS 0x00000003 /* page-aligned modules, memory info */

#define CR0_PE (1 << 0)
#define CR0_MP (1 << 1)
#define CR0_EM (1 << 2)
#define CR0_TS (1 << 3)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define CR4_OSFXSR (1 << 9)
#define CR4_OSXMMEXCPT (1 << 10)
#define MSR_EFER 0xC0000080
#define EFER_LME (1 << 8)
#define MSR_FS_BASE 0xC0000100

#define PTE_P 0x001
#define PTE_W 0x002
#define PTE_PS 0x080

#define COM1 0x3F8
#define DEBUG_EXIT_PORT 0xF4
#define EXIT_PANIC 0x12

/* ------------------------------------------------------------ header */
    .section .multiboot, "a"
    .balign 4
    .long MB_HEADER_MAGIC
    .long MB_HEADER_FLAGS
    .long -(MB_HEADER_MAGIC + MB_HEADER_FLAGS)

/* ------------------------------------------------------- 32-bit entry */
    .section .boot.text, "ax"
    .code32
    .globl _start
_start:
    cli
    cld
    movl %eax, boot_mb_magic
    movl %ebx, boot_mb_info

    /* Zero .bss; the loader should, but nothing below may rely on it. */
    movl $__bss_start, %edi
    movl $__bss_end, %ecx
    subl %edi, %ecx
    shrl $2, %ecx
    xorl %eax, %eax
    rep stosl

    movl $boot_stack_top, %esp

    /* Long mode present? (CPUID itself exists on every x86_64 CPU.) */
    movl $0x80000000, %eax
    cpuid
    cmpl $0x80000001, %eax
    jb no_long_mode
    movl $0x80000001, %eax
    cpuid
    testl $(1 << 29), %edx
    jz no_long_mode

    /* PML4[0] -> PDPT, PDPT[0] -> PD, PD[0] -> PT (4 KiB pages for the
     * first 2 MiB), PD[1..511] -> 2 MiB pages up to 1 GiB. */
    movl $boot_pdpt, %eax
    orl $(PTE_P | PTE_W), %eax
    movl %eax, boot_pml4
    movl $boot_pd, %eax
    orl $(PTE_P | PTE_W), %eax
    movl %eax, boot_pdpt
    movl $boot_pt, %eax
    orl $(PTE_P | PTE_W), %eax
    movl %eax, boot_pd

    movl $boot_pd + 8, %edi
    movl $(0x200000 | PTE_P | PTE_W | PTE_PS), %eax
    movl $511, %ecx
1:  movl %eax, (%edi)
    addl $0x200000, %eax
    addl $8, %edi
    loop 1b

    movl $boot_pt, %edi
    movl $(PTE_P | PTE_W), %eax
    movl $512, %ecx
2:  movl %eax, (%edi)
    addl $0x1000, %eax
    addl $8, %edi
    loop 2b
    /* Unmapped: page 0 (NULL dereferences fault) and the stack guard. */
    movl $0, boot_pt
    movl $boot_stack_guard, %eax
    shrl $12, %eax
    movl $0, boot_pt(, %eax, 8)

    movl %cr4, %eax
    orl $(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
    movl %eax, %cr4
    movl $boot_pml4, %eax
    movl %eax, %cr3
    movl $MSR_EFER, %ecx
    rdmsr
    orl $EFER_LME, %eax
    wrmsr
    movl %cr0, %eax
    andl $~(CR0_EM | CR0_TS), %eax
    orl $(CR0_PG | CR0_PE | CR0_MP), %eax
    movl %eax, %cr0

    lgdt boot_gdt_ptr
    ljmp $0x08, $long_entry

no_long_mode:
    movl $msg_no_lm, %esi
3:  lodsb
    testb %al, %al
    jz 4f
    movw $COM1, %dx
    outb %al, %dx
    jmp 3b
4:  movw $DEBUG_EXIT_PORT, %dx
    movl $EXIT_PANIC, %eax
    outl %eax, %dx
5:  hlt
    jmp 5b

/* ------------------------------------------------------- 64-bit entry */
    .code64
long_entry:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    xorw %ax, %ax
    movw %ax, %fs
    movw %ax, %gs
    movq $boot_stack_top, %rsp

    /* FS base after the selector load (which would reset it). The block
     * starts with a pointer to itself, as the SysV TLS ABI lays it out. */
    movq $boot_fs_block, %rax
    movq %rax, (%rax)
    movl $MSR_FS_BASE, %ecx
    movl %eax, %eax
    xorl %edx, %edx
    wrmsr

    /* Canary: RDRAND (CPUID.1:ECX[30]) with up to 10 tries, as Intel
     * advises; otherwise the TSC, which at least varies per boot. The low
     * byte is zeroed, as glibc does, so a string overrun stops at it. */
    movl $1, %eax
    cpuid
    btl $30, %ecx
    jnc 7f
    movl $10, %ecx
6:  rdrand %rax
    jc 8f
    loop 6b
7:  rdtsc
    shlq $32, %rdx
    orq %rdx, %rax
    movabsq $0x9E3779B97F4A7C15, %rdx
    imulq %rdx, %rax
8:  xorb %al, %al
    movq %rax, boot_fs_block + 0x28

    fninit
    movl boot_mb_magic, %edi
    movl boot_mb_info, %esi
    call capos_main
9:  cli
    hlt
    jmp 9b

/* --------------------------------------------------- exception stubs */
/* One stub per vector 0..31. Vectors where the CPU pushes an error code
 * push only their number; the others push a zero first, so the common
 * path always sees [vector, error, rip, cs, rflags, rsp, ss]. */
    .text
    .balign 16
    .macro TRAP_STUB vec
    .balign 16
trap_stub_\vec:
    .if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
    .else
    pushq $0
    .endif
    pushq $\vec
    jmp trap_common
    .endm

    .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    TRAP_STUB \v
    .endr

trap_common:
    movq 0(%rsp), %rdi  /* vector */
    movq 8(%rsp), %rsi  /* error code */
    movq 16(%rsp), %rdx /* faulting rip */
    andq $-16, %rsp
    call capos_trap_handler /* never returns */
10: cli
    hlt
    jmp 10b

    .section .rodata
    .balign 8
    .globl capos_trap_stubs
capos_trap_stubs:
    .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .quad trap_stub_\v
    .endr

msg_no_lm:
    .asciz "FATAL: CPU lacks long mode (x86_64)\r\n"

/* ---------------------------------------------------------------- data */
    .data
    .balign 16
    .globl capos_gdt
capos_gdt:
    .quad 0                  /* 0x00 null */
    .quad 0x00AF9A000000FFFF /* 0x08 64-bit code, DPL 0 */
    .quad 0x00CF92000000FFFF /* 0x10 data, DPL 0 */
    .quad 0                  /* 0x18 TSS, low half (filled by trap.c) */
    .quad 0                  /* 0x20 TSS, high half */
capos_gdt_end:
boot_gdt_ptr:
    .word capos_gdt_end - capos_gdt - 1
    .long capos_gdt

    .balign 4
    .globl boot_mb_magic, boot_mb_info
boot_mb_magic: .long 0
boot_mb_info:  .long 0

/* ----------------------------------------------------------------- bss */
/* Page tables first, then the guard page directly below the stack: an
 * overflow faults instead of overwriting whatever lies below. */
    .section .boot.bss, "aw", @nobits
    .balign 4096
boot_pml4: .skip 4096
boot_pdpt: .skip 4096
boot_pd:   .skip 4096
boot_pt:   .skip 4096
    .globl boot_stack_guard, boot_stack_bottom, boot_stack_top
boot_stack_guard: .skip 4096
boot_stack_bottom:
    .skip 65536
boot_stack_top:
    .balign 64
    .globl boot_fs_block
boot_fs_block: .skip 64

    .section .note.GNU-stack, "", @progbits
