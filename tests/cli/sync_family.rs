//! CLI tests of the sync family (tiny sizes: verification and bad parameters).
