//! CLI tests of the pattern family (tiny sizes: verification and bad parameters).
