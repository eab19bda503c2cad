//! Statistical claims checked by simulation: what concbench prints as a
//! 95% interval covers the true value at least 94% of the time, at every
//! n it prints one for.

mod coverage;
