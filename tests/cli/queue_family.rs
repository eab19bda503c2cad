//! CLI tests of the queue family (tiny sizes: verification and bad parameters).
