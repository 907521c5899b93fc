//! The demo catalogue that `cargo run` writes into an empty database.

use crate::support::{db_test, today};
use db::entity::{institution, offer, offer_contract_type, service};
use domain::offer::{
    Category, ContractType, EducationLevel, Experience, OfferNature, Remote, Vacancy, Versant, WorkingTime,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::collections::HashSet;

db_test!(the_demo_catalogue_covers_every_region_and_every_field, |db| {
    let report = db::seed::seed_demo(&db, today()).await.expect("seed");
    assert!(report.created >= 60, "{report:?}");
    assert!(report.institutions >= 8);

    let now = today();
    let all = offer::Entity::find().all(db.conn()).await.expect("offers");
    let open: Vec<&offer::Model> =
        all.iter().filter(|o| domain::offer::is_open(o.state.parse().expect("state"), o.expires_at, now)).collect();
    assert!(open.len() >= 60, "{} open offers", open.len());
    let employers: HashSet<i64> = open.iter().map(|o| o.institution_id).collect();
    assert!(employers.len() >= 8);
    let regions: HashSet<&str> = open.iter().filter_map(|o| o.region_code.as_deref()).collect();
    for r in domain::geo::regions() {
        assert!(regions.contains(r.code.as_str()), "no open demo offer in {}", r.name);
    }
    // Every value of every closed list is used by an open offer.
    let used = |f: fn(&offer::Model) -> Option<&str>| -> HashSet<String> {
        open.iter().filter_map(|o| f(o)).map(str::to_string).collect()
    };
    let expect_all = |name: &str, used: HashSet<String>, all: Vec<&str>| {
        for code in all {
            assert!(used.contains(code), "{name} {code} unused by the demo catalogue");
        }
    };
    expect_all("category", used(|o| o.category.as_deref()), Category::ALL.iter().map(|c| c.code()).collect());
    expect_all("versant", used(|o| o.versant.as_deref()), Versant::ALL.iter().map(|c| c.code()).collect());
    expect_all("nature", used(|o| o.nature.as_deref()), OfferNature::ALL.iter().map(|c| c.code()).collect());
    expect_all("experience", used(|o| o.experience.as_deref()), Experience::ALL.iter().map(|c| c.code()).collect());
    expect_all("remote", used(|o| o.remote.as_deref()), Remote::ALL.iter().map(|c| c.code()).collect());
    expect_all(
        "working time",
        used(|o| o.working_time.as_deref()),
        WorkingTime::ALL.iter().map(|c| c.code()).collect(),
    );
    expect_all("vacancy", used(|o| o.vacancy.as_deref()), Vacancy::ALL.iter().map(|c| c.code()).collect());
    expect_all("education", used(|o| o.education.as_deref()), EducationLevel::ALL.iter().map(|c| c.code()).collect());
    let open_ids: Vec<i64> = open.iter().map(|o| o.id).collect();
    let contracts: HashSet<String> = offer_contract_type::Entity::find()
        .filter(offer_contract_type::Column::OfferId.is_in(open_ids))
        .all(db.conn())
        .await
        .expect("contracts")
        .into_iter()
        .map(|c| c.contract_type)
        .collect();
    expect_all("contract", contracts, ContractType::ALL.iter().map(|c| c.code()).collect());
    for (name, f) in [
        ("mission", (|o: &offer::Model| o.mission.is_some()) as fn(&offer::Model) -> bool),
        ("profile", |o| o.profile.is_some()),
        ("team", |o| o.team.is_some()),
        ("context", |o| o.context.is_some()),
        ("perks", |o| o.perks.is_some()),
        ("process", |o| o.process.is_some()),
        ("particularities", |o| o.particularities.is_some()),
        ("how to apply", |o| o.how_to_apply.is_some()),
        ("salary", |o| o.salary_min.is_some() && o.salary_max.is_some()),
        ("application url", |o| o.application_url.is_some()),
        ("service", |o| o.service_id.is_some()),
        ("profession", |o| o.profession_id.is_some()),
        ("commune", |o| o.commune_code.is_some()),
        ("start date", |o| o.starts_on.is_some()),
        ("no end date", |o| o.expires_at.is_none()),
    ] {
        assert!(open.iter().any(|o| f(o)), "no open demo offer has a {name}");
    }
    let states: HashSet<&str> = all.iter().map(|o| o.state.as_str()).collect();
    assert_eq!(states, HashSet::from(["draft", "published", "filled", "archived"]));
    // Employers have their showcase and a tree of services.
    let institutions = institution::Entity::find().all(db.conn()).await.expect("institutions");
    assert!(institutions.iter().all(|i| i.presentation.is_some() && i.recruitment_process.is_some()));
    let services = service::Entity::find().all(db.conn()).await.expect("services");
    assert!(services.iter().any(|s| s.parent_id.is_some()), "a nested service");
});

db_test!(seeding_twice_the_same_day_changes_nothing, |db| {
    let first = db::seed::seed_demo(&db, today()).await.expect("seed");
    let second = db::seed::seed_demo(&db, today()).await.expect("seed again");
    assert_eq!((second.created, second.updated, second.unchanged), (0, 0, first.created));
});
