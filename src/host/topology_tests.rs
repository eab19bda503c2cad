//! The topology reader and pair classes on fixture machines built as sysfs
//! trees in a temporary folder: two sockets, SMT, and a chiplet layout.

use super::*;

/// One CPU of a fixture: (cpu, core_id, package, siblings, llc, node).
type Cpu = (u32, u32, u32, &'static str, &'static str, u32);

/// Write a sysfs tree for `cpus` under a fresh temporary folder.
fn machine(cpus: &[Cpu], with_caches: bool) -> tempfile::TempDir {
    let root = tempfile::tempdir().expect("temp dir");
    let write = |path: std::path::PathBuf, text: &str| {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
        std::fs::write(path, format!("{text}\n")).expect("write");
    };
    let mut nodes: std::collections::BTreeMap<u32, Vec<u32>> = Default::default();
    for &(cpu, core, package, siblings, llc, node) in cpus {
        let dir = root.path().join(format!("cpu/cpu{cpu}"));
        write(dir.join("topology/core_id"), &core.to_string());
        write(
            dir.join("topology/physical_package_id"),
            &package.to_string(),
        );
        write(dir.join("topology/thread_siblings_list"), siblings);
        if with_caches {
            let caches = [
                ("1", "Data", cpu.to_string()),
                ("1", "Instruction", cpu.to_string()),
                ("2", "Unified", siblings.to_string()),
                ("3", "Unified", llc.to_string()),
            ];
            for (i, (level, kind, shared)) in caches.iter().enumerate() {
                let index = dir.join(format!("cache/index{i}"));
                write(index.join("level"), level);
                write(index.join("type"), kind);
                write(index.join("shared_cpu_list"), shared);
            }
        }
        nodes.entry(node).or_default().push(cpu);
    }
    for (node, members) in nodes {
        let path = root.path().join(format!("node/node{node}/cpulist"));
        write(path, &format_cpu_list(&members));
    }
    root
}

const TWO_SOCKETS: &[Cpu] = &[
    (0, 0, 0, "0", "0-3", 0),
    (1, 1, 0, "1", "0-3", 0),
    (2, 2, 0, "2", "0-3", 0),
    (3, 3, 0, "3", "0-3", 0),
    (4, 0, 1, "4", "4-7", 1),
    (5, 1, 1, "5", "4-7", 1),
    (6, 2, 1, "6", "4-7", 1),
    (7, 3, 1, "7", "4-7", 1),
];

/// Intel-style numbering: CPU n and n+2 are the two threads of one core.
const SMT: &[Cpu] = &[
    (0, 0, 0, "0,2", "0-3", 0),
    (1, 1, 0, "1,3", "0-3", 0),
    (2, 0, 0, "0,2", "0-3", 0),
    (3, 1, 0, "1,3", "0-3", 0),
];

/// One package, one node, two core complexes of two SMT cores each.
const CHIPLETS: &[Cpu] = &[
    (0, 0, 0, "0-1", "0-3", 0),
    (1, 0, 0, "0-1", "0-3", 0),
    (2, 1, 0, "2-3", "0-3", 0),
    (3, 1, 0, "2-3", "0-3", 0),
    (4, 4, 0, "4-5", "4-7", 0),
    (5, 4, 0, "4-5", "4-7", 0),
    (6, 5, 0, "6-7", "4-7", 0),
    (7, 5, 0, "6-7", "4-7", 0),
];

fn read_all(cpus: &[Cpu], with_caches: bool) -> Topology {
    let root = machine(cpus, with_caches);
    let all: Vec<u32> = cpus.iter().map(|c| c.0).collect();
    Topology::read(root.path(), &all)
}

#[test]
fn two_sockets_split_into_packages_and_nodes() {
    let map = read_all(TWO_SOCKETS, true);
    assert_eq!(map.cpus.len(), 8);
    assert_eq!(map.place(5).and_then(|p| p.node), Some(1));
    assert_eq!(map.place(5).and_then(|p| p.llc_level), Some(3));
    assert_eq!(map.classify(2, 2), Some(PairClass::SameCpu));
    assert_eq!(map.classify(0, 3), Some(PairClass::SameLlc));
    assert_eq!(map.classify(3, 4), Some(PairClass::OtherPackage));
    assert_eq!(map.classify(7, 0), Some(PairClass::OtherPackage));
    assert_eq!(map.classify(0, 9), None, "CPU 9 is not on the map");
    let line = map.summary();
    assert!(line.contains("packages 0 1"), "{line}");
    assert!(line.contains("NUMA nodes 0 1"), "{line}");
    assert!(line.contains("SMT siblings none"), "{line}");
}

#[test]
fn smt_siblings_are_found_whatever_their_numbering() {
    let map = read_all(SMT, true);
    assert_eq!(map.classify(0, 2), Some(PairClass::SmtSibling));
    assert_eq!(map.classify(3, 1), Some(PairClass::SmtSibling));
    assert_eq!(map.classify(0, 1), Some(PairClass::SameLlc));
    assert!(map.summary().contains("SMT siblings 0,2 1,3"));
}

#[test]
fn chiplets_share_a_package_but_not_a_last_level_cache() {
    let map = read_all(CHIPLETS, true);
    assert_eq!(map.classify(0, 1), Some(PairClass::SmtSibling));
    assert_eq!(map.classify(0, 3), Some(PairClass::SameLlc));
    assert_eq!(map.classify(1, 4), Some(PairClass::OtherLlc));
    assert_eq!(map.classify(6, 2), Some(PairClass::OtherLlc));
    assert!(map.summary().contains("L3 groups 0-3 4-7"));
}

#[test]
fn only_the_allowed_cpus_are_read() {
    let root = machine(CHIPLETS, true);
    let map = Topology::read(root.path(), &[2, 5]);
    let cpus: Vec<u32> = map.cpus.iter().map(|p| p.cpu).collect();
    assert_eq!(cpus, [2, 5]);
    assert_eq!(map.classify(2, 5), Some(PairClass::OtherLlc));
    assert_eq!(map.classify(0, 2), None, "CPU 0 is outside the mask");
}

#[test]
fn without_cache_information_cores_are_not_guessed_to_share_one() {
    let map = read_all(SMT, false);
    assert_eq!(map.place(0).and_then(|p| p.llc_level), None);
    assert_eq!(map.classify(0, 1), Some(PairClass::OtherCore));
    assert_eq!(map.classify(0, 2), Some(PairClass::SmtSibling));
    let nothing = Topology::read(std::path::Path::new("/nonexistent"), &[0, 1]);
    assert_eq!(nothing.classify(0, 1), Some(PairClass::OtherCore));
    assert_eq!(nothing.place(0).and_then(|p| p.package), None);
}

#[test]
fn cpu_lists_parse_and_print_back() {
    assert_eq!(
        parse_cpu_list("0-3,8,10-11"),
        Some(vec![0, 1, 2, 3, 8, 10, 11])
    );
    assert_eq!(parse_cpu_list(""), Some(vec![]));
    assert_eq!(parse_cpu_list("3-1"), None);
    assert_eq!(parse_cpu_list("a"), None);
    assert_eq!(format_cpu_list(&[0, 1, 2, 3, 8, 10, 11]), "0-3,8,10-11");
    for class in PairClass::ALL {
        assert_eq!(PairClass::from_index(class.index() as f64), Some(class));
    }
    assert_eq!(PairClass::from_index(0.5), None);
    assert_eq!(PairClass::from_index(99.0), None);
}

#[test]
fn this_machine_reads_without_failing() {
    let map = Topology::detect();
    assert!(!map.cpus.is_empty());
    let first = map.cpus[0].cpu;
    assert_eq!(map.classify(first, first), Some(PairClass::SameCpu));
}
