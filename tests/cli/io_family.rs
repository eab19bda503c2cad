//! CLI tests of the io family (tiny sizes: verification and bad parameters).
