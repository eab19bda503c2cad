//! All CLI-level tests, in one test binary so they link once.

mod cli;
