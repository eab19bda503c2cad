//! CLI tests of the switch family (tiny sizes: verification and bad parameters).
