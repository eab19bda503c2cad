//! CLI tests of the lock family (tiny sizes: verification and bad parameters).
