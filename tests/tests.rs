//! All CLI-level tests and the source-layout checks, in one test binary so
//! they link once.

mod cli;
mod layers;
mod schemas;
mod statistics;
