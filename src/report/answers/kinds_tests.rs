//! The answers ranked by kind (`kinds`), on a whole scenario's points.

use super::{QUESTIONS, answer};
use crate::report::findings::tests::point;
use crate::report::view::ScenarioView;
use crate::results::PointResult;
use crate::vocab::{Family, Model, Params};

#[test]
fn the_1000_workers_answer_ranks_thread_and_process_starts_apart_from_tasks_on_a_running_pool() {
    let drift = [1.0, 1.3, 0.9, 1.1, 1.0, 1.2, 0.95, 1.05];
    let cases = [
        ("rayon", Model::Pool, 10.0),
        ("tokio", Model::Async, 25.0),
        ("std_thread", Model::Thread, 100.0),
        ("scoped_thread", Model::Thread, 130.0),
        ("fork", Model::Process, 1000.0),
    ];
    let points: Vec<PointResult> = cases
        .iter()
        .map(|&(variant, model, ns)| {
            let mut p = point(ns, &drift, Some("g"));
            p.scenario = "spawn.start".into();
            p.variant = variant.into();
            p.model = model;
            p.params = Params([("workers".to_string(), 1000)].into());
            p
        })
        .collect();
    let view = ScenarioView {
        id: "spawn.start",
        family: Family::Spawn,
        meta: None,
        points: points.iter().collect(),
    };
    let question = QUESTIONS
        .iter()
        .find(|q| q.scenario == "spawn.start")
        .expect("the 1000-workers question");
    let text = answer(question, &view, 4).expect("answered").text;
    let (starts, tasks) = text
        .split_once("on a pool or runtime already running")
        .unwrap_or_else(|| panic!("tasks on a running pool apart: {text}"));
    assert!(starts.contains("thread or process per worker"), "{text}");
    assert!(starts.contains("std_thread/thread is fastest"), "{text}");
    assert!(starts.contains("fork/process"), "{text}");
    assert!(
        !starts.contains("rayon") && !starts.contains("tokio"),
        "a task is not ranked against a thread start: {text}"
    );
    assert!(tasks.contains("rayon/pool is fastest"), "{text}");
    assert!(tasks.contains("tokio/async"), "{text}");
}
