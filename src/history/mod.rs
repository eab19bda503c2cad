//! History: every run kept in one SQLite store, series per point and host
//! across commits, and the commits where a series stepped.

pub mod changes;
