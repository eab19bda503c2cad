//! CLI tests of the cpu family (tiny sizes: verification and bad parameters).
