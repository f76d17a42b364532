//! Table test of acknowledgements: an acknowledged outage gets no more reminders; its
//! resolution is still told.

use super::*;
use crate::model::Acknowledgement;

fn reminding() -> Policy {
    Policy {
        remind_every: Some(Duration::from_secs(30 * 60)),
        ..Policy::default()
    }
}

#[test]
fn rule_acknowledged_outage_gets_no_reminders_but_its_resolution() {
    // (name, acknowledge after the opening?, expected notifications)
    let cases: [(&str, bool, &[&str]); 2] = [
        (
            "unacknowledged: reminders every 30 min",
            false,
            &[
                "outage_opened:a",
                "outage_reminder:a",
                "outage_reminder:a",
                "outage_resolved:a",
            ],
        ),
        (
            "acknowledged: no reminder, the resolution is sent",
            true,
            &["outage_opened:a", "outage_resolved:a"],
        ),
    ];
    for (name, ack, expected) in cases {
        let mut sim = Sim::new(reminding());
        sim.run(vec![List(0, vec![on("a")])]);
        sim.run((0..5).map(|_| List(MIN, vec![off("a")])).collect());
        assert_eq!(sim.open(), ["a"], "{name}: open");
        if ack {
            let outage = sim.state.open_outages.get_mut("a").expect("open outage");
            outage.acknowledged = Some(Acknowledgement {
                by: "U123".into(),
                at: t(sim.now),
            });
        }
        sim.run((0..65).map(|_| List(MIN, vec![off("a")])).collect());
        sim.run(vec![List(MIN, vec![on("a")])]);
        assert_eq!(sim.log, expected, "{name}");
        assert_eq!(sim.open(), Vec::<String>::new(), "{name}: resolved");
    }
}
