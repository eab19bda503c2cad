//! CLI tests of the ipc family (tiny sizes: verification and bad parameters).
