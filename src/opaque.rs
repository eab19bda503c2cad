//! An optimisation barrier that keeps a value in a register, for chains of
//! dependent arithmetic that are themselves what a point measures or
//! calibrates (the lock family's critical-section work, the drift monitor's
//! reference chain).
//!
//! `std::hint::black_box` hides a value by passing its address to the
//! optimiser's blind spot, so each step of a chain becomes a store and a
//! reload. On this project's x86 VMs such a step took either about 1.3 ns or
//! about 3.0 ns, flipping from one process, call site or stack depth to the
//! next (the CPU's store-to-load forwarding either renames the stack slot
//! or does not). A calibration and the work it calibrates then disagree by
//! up to 2.3x, and two runs of one point do different amounts of work.
//! `opaque` ties the value to a register instead: the compiler must assume
//! an empty `asm!` block changed it, so it can neither fold the chain nor
//! skip a step, and a step costs the same everywhere (1.34 ns, ±1%, in the
//! same experiment).

/// `x`, unchanged, but opaque to the optimiser; register-only on x86-64 and
/// AArch64, `black_box` elsewhere.
#[inline(always)]
pub fn opaque(x: u64) -> u64 {
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    {
        let mut x = x;
        // SAFETY: the block is empty: it reads and writes only the register
        // holding `x`, touches no memory (`nomem`) and no stack (`nostack`),
        // and leaves every other register and flag as it was
        // (`preserves_flags`). Its only effect is that the compiler cannot
        // see the value pass through unchanged.
        unsafe {
            std::arch::asm!(
                "/* {0} */",
                inout(reg) x,
                options(pure, nomem, nostack, preserves_flags)
            );
        }
        x
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        std::hint::black_box(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_value_passes_through_unchanged() {
        for x in [0, 1, 42, u64::MAX, 0x9E37_79B9_7F4A_7C15] {
            assert_eq!(opaque(x), x);
        }
    }
}
