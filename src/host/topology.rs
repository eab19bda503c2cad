//! Which CPUs share what: SMT siblings, cores, packages, last-level-cache
//! groups and NUMA nodes, read from sysfs for the CPUs this process may run
//! on, and the class of a pair of CPUs (same CPU, SMT sibling, same LLC,
//! other LLC, other package or node). Read from a root path, so fixture
//! trees drive it in tests; what cannot be read stays empty, never guessed.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// Where sysfs keeps `cpu/` and `node/`.
pub const SYSFS_ROOT: &str = "/sys/devices/system";

/// The machine's map, restricted to the CPUs the process may run on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Topology {
    /// One entry per allowed CPU, in CPU order.
    pub cpus: Vec<CpuPlace>,
}

/// Where one CPU sits.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CpuPlace {
    pub cpu: u32,
    /// `topology/core_id` (unique within a package only).
    pub core: Option<u32>,
    /// `topology/physical_package_id`.
    pub package: Option<u32>,
    /// `topology/thread_siblings_list`: the CPUs of its core, itself included.
    pub siblings: Vec<u32>,
    /// The level of its last-level cache and the CPUs sharing it
    /// (`cache/index*/shared_cpu_list` of the highest data or unified level).
    pub llc_level: Option<u32>,
    pub llc: Vec<u32>,
    /// Its NUMA node (`node/node*/cpulist`).
    pub node: Option<u32>,
}

/// What two CPUs share, nearest first.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PairClass {
    /// The two sides take turns on one CPU.
    SameCpu,
    /// Two hardware threads of one core (they share its L1 and L2).
    SmtSibling,
    /// Two cores under one last-level cache.
    SameLlc,
    /// Two cores of one package and node, under different last-level caches
    /// (chiplets, core complexes).
    OtherLlc,
    /// Two CPUs in different packages or NUMA nodes.
    OtherPackage,
    /// Two cores whose caches sysfs does not describe.
    OtherCore,
}

impl PairClass {
    pub const ALL: [PairClass; 6] = [
        PairClass::SameCpu,
        PairClass::SmtSibling,
        PairClass::SameLlc,
        PairClass::OtherLlc,
        PairClass::OtherPackage,
        PairClass::OtherCore,
    ];

    /// Its name in results and point metrics: `same_llc`.
    pub fn name(self) -> &'static str {
        match self {
            PairClass::SameCpu => "same_cpu",
            PairClass::SmtSibling => "smt_sibling",
            PairClass::SameLlc => "same_llc",
            PairClass::OtherLlc => "other_llc",
            PairClass::OtherPackage => "other_package",
            PairClass::OtherCore => "other_core",
        }
    }

    /// How a person reads it: `same last-level cache`.
    pub fn words(self) -> &'static str {
        match self {
            PairClass::SameCpu => "same CPU",
            PairClass::SmtSibling => "SMT siblings",
            PairClass::SameLlc => "same last-level cache",
            PairClass::OtherLlc => "other last-level cache",
            PairClass::OtherPackage => "other package or node",
            PairClass::OtherCore => "other core (caches not described)",
        }
    }

    /// A code used in the matrix's key (one or two letters).
    pub fn code(self) -> &'static str {
        match self {
            PairClass::SameCpu => "C",
            PairClass::SmtSibling => "T",
            PairClass::SameLlc => "L",
            PairClass::OtherLlc => "X",
            PairClass::OtherPackage => "P",
            PairClass::OtherCore => "O",
        }
    }

    /// The class a number stored in a metric stands for (its index in `ALL`).
    pub fn from_index(index: f64) -> Option<PairClass> {
        let i = index as usize;
        (index >= 0.0 && i as f64 == index)
            .then(|| PairClass::ALL.get(i).copied())
            .flatten()
    }

    pub fn index(self) -> usize {
        PairClass::ALL.iter().position(|&c| c == self).unwrap_or(0)
    }
}

impl Topology {
    /// The machine's map for the CPUs this process may run on.
    pub fn detect() -> Topology {
        Topology::read(Path::new(SYSFS_ROOT), &allowed_cpus())
    }

    /// The map under `root` (`<root>/cpu/cpuN/...`, `<root>/node/nodeN/cpulist`)
    /// for `allowed` CPUs.
    pub fn read(root: &Path, allowed: &[u32]) -> Topology {
        let nodes = nodes(&root.join("node"));
        let cpus = allowed
            .iter()
            .map(|&cpu| {
                let dir = root.join("cpu").join(format!("cpu{cpu}"));
                let number = |file: &str| read(&dir.join("topology").join(file)).parse().ok();
                let (llc_level, llc) = last_level_cache(&dir.join("cache"));
                CpuPlace {
                    cpu,
                    core: number("core_id"),
                    package: number("physical_package_id"),
                    siblings: parse_cpu_list(&read(&dir.join("topology/thread_siblings_list")))
                        .unwrap_or_default(),
                    llc_level,
                    llc,
                    node: nodes
                        .iter()
                        .find(|(_, members)| members.contains(&cpu))
                        .map(|(n, _)| *n),
                }
            })
            .collect();
        Topology { cpus }
    }

    pub fn place(&self, cpu: u32) -> Option<&CpuPlace> {
        self.cpus.iter().find(|p| p.cpu == cpu)
    }

    /// The class of the pair `a`, `b`; None where either is not on the map.
    pub fn classify(&self, a: u32, b: u32) -> Option<PairClass> {
        let (pa, pb) = (self.place(a)?, self.place(b)?);
        let differ = |x: Option<u32>, y: Option<u32>| x.zip(y).is_some_and(|(x, y)| x != y);
        Some(if a == b {
            PairClass::SameCpu
        } else if differ(pa.package, pb.package) || differ(pa.node, pb.node) {
            PairClass::OtherPackage
        } else if pa.siblings.contains(&b) || pb.siblings.contains(&a) {
            PairClass::SmtSibling
        } else if pa.llc.is_empty() || pb.llc.is_empty() {
            PairClass::OtherCore
        } else if pa.llc.contains(&b) {
            PairClass::SameLlc
        } else {
            PairClass::OtherLlc
        })
    }

    /// One line for a report: `2 CPUs; packages 0; LLC (L3) groups 0-1; ...`.
    pub fn summary(&self) -> String {
        let distinct = |key: &dyn Fn(&CpuPlace) -> String| {
            let mut seen: Vec<String> = self.cpus.iter().map(key).collect();
            seen.sort();
            seen.dedup();
            seen.retain(|s| !s.is_empty());
            if seen.is_empty() {
                "-".to_string()
            } else {
                seen.join(" ")
            }
        };
        let level = self
            .cpus
            .iter()
            .find_map(|p| p.llc_level)
            .map_or("LLC".to_string(), |l| format!("L{l}"));
        let smt = distinct(&|p| {
            if p.siblings.len() > 1 {
                format_cpu_list(&p.siblings)
            } else {
                String::new()
            }
        });
        format!(
            "{} CPUs; packages {}; {level} groups {}; NUMA nodes {}; SMT siblings {}",
            self.cpus.len(),
            distinct(&|p| p.package.map_or(String::new(), |v| v.to_string())),
            distinct(&|p| format_cpu_list(&p.llc)),
            distinct(&|p| p.node.map_or(String::new(), |v| v.to_string())),
            if smt == "-" { "none".into() } else { smt }
        )
    }
}

/// The CPUs this process may run on (sched_getaffinity), in order.
pub fn allowed_cpus() -> Vec<u32> {
    use nix::sched::{CpuSet, sched_getaffinity};
    let Ok(set) = sched_getaffinity(nix::unistd::Pid::from_raw(0)) else {
        return vec![0];
    };
    (0..CpuSet::count())
        .filter(|&cpu| set.is_set(cpu).unwrap_or(false))
        .map(|cpu| cpu as u32)
        .collect()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// The highest data or unified cache level under `cache/` and its CPUs.
fn last_level_cache(cache: &Path) -> (Option<u32>, Vec<u32>) {
    let Ok(entries) = std::fs::read_dir(cache) else {
        return (None, Vec::new());
    };
    let mut best: Option<(u32, Vec<u32>)> = None;
    for entry in entries.flatten() {
        let dir = entry.path();
        let is_index = entry.file_name().to_string_lossy().starts_with("index");
        if !is_index || read(&dir.join("type")) == "Instruction" {
            continue;
        }
        let (Ok(level), Some(cpus)) = (
            read(&dir.join("level")).parse::<u32>(),
            parse_cpu_list(&read(&dir.join("shared_cpu_list"))),
        ) else {
            continue;
        };
        if best.as_ref().is_none_or(|(l, _)| level > *l) {
            best = Some((level, cpus));
        }
    }
    best.map_or((None, Vec::new()), |(l, cpus)| (Some(l), cpus))
}

/// Every `node/nodeN/cpulist` under `dir`, by node number.
fn nodes(dir: &Path) -> Vec<(u32, Vec<u32>)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<(u32, Vec<u32>)> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let n = name.strip_prefix("node")?.parse().ok()?;
            Some((n, parse_cpu_list(&read(&e.path().join("cpulist")))?))
        })
        .collect();
    found.sort();
    found
}

/// `0-3,8,10-11` as CPU numbers; None where the text is not such a list.
pub fn parse_cpu_list(text: &str) -> Option<Vec<u32>> {
    let mut cpus = Vec::new();
    for part in text.trim().split(',').filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((lo, hi)) => {
                let (lo, hi): (u32, u32) = (lo.trim().parse().ok()?, hi.trim().parse().ok()?);
                if hi < lo || hi - lo > 65_536 {
                    return None;
                }
                cpus.extend(lo..=hi);
            }
            None => cpus.push(part.trim().parse().ok()?),
        }
    }
    Some(cpus)
}

/// CPU numbers as a list with ranges: `0-3,8`.
pub fn format_cpu_list(cpus: &[u32]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < cpus.len() {
        let mut j = i;
        while j + 1 < cpus.len() && cpus[j + 1] == cpus[j] + 1 {
            j += 1;
        }
        parts.push(if j > i {
            format!("{}-{}", cpus[i], cpus[j])
        } else {
            cpus[i].to_string()
        });
        i = j + 1;
    }
    parts.join(",")
}

#[cfg(test)]
#[path = "topology_tests.rs"]
mod tests;
