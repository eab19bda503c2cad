//! History: every run kept in one SQLite store, series per point and host
//! across commits, and the commits where a series stepped.

pub mod changes;
pub mod command;
pub mod labels;
pub mod level;
pub mod machine_state;
pub mod migrations;
pub mod page;
pub mod placement_shift;
pub mod recall;
pub mod record;
pub mod series;
pub mod store;
pub mod trend_chart;
