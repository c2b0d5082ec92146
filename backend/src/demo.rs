//! Demo data for a first start: a small freelance practice's contacts and companies, so the app
//! has something real to show. Loaded through the same service code as the API.

use chrono::{Duration, Utc};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::companies;
use crate::companies::dto::CreateCompany;
use crate::contacts::dto::{ContactSource, CreateContact, Lifecycle, RelationshipType, UpdateContact};
use crate::contacts::service;
use crate::deals;
use crate::deals::dto::{CreateDeal, DealStatus, UpdateDeal};
use crate::interactions;
use crate::interactions::dto::{CreateInteraction, Direction, InteractionKind, Outcome, Sentiment, SentimentLabel};
use crate::payments;
use crate::payments::dto::CreatePayment;
use crate::pipelines;
use crate::products;
use crate::products::dto::CreateProduct;
use crate::proposals;
use crate::proposals::dto::{CreateProposal, NewLine, ProposalStatus, UpdateProposal};
use crate::settings::dto::CadenceDefaults;

struct Person {
    first: &'static str,
    last: &'static str,
    company: Option<&'static str>,
    title: &'static str,
    city: &'static str,
    lifecycle: Lifecycle,
    source: ContactSource,
    tags: &'static [&'static str],
    /// Days from now of the next follow-up (negative: overdue).
    follow_up: Option<i64>,
}

#[allow(clippy::too_many_arguments)]
const fn p(
    first: &'static str,
    last: &'static str,
    company: Option<&'static str>,
    title: &'static str,
    city: &'static str,
    lifecycle: Lifecycle,
    source: ContactSource,
    tags: &'static [&'static str],
    follow_up: Option<i64>,
) -> Person {
    Person {
        first,
        last,
        company,
        title,
        city,
        lifecycle,
        source,
        tags,
        follow_up,
    }
}

use crate::db::WorkspaceId;
use ContactSource as S;
use Lifecycle as L;

const PEOPLE: &[Person] = &[
    p(
        "Ada",
        "Lovelace",
        Some("Analytical Engines Ltd"),
        "CTO",
        "London, UK",
        L::Client,
        S::Referral,
        &["vip", "retainer"],
        Some(12),
    ),
    p(
        "Grace",
        "Hopper",
        Some("Compiler Works"),
        "Head of Platform",
        "Arlington, VA",
        L::Client,
        S::Event,
        &["vip"],
        Some(-3),
    ),
    p(
        "Linus",
        "Berg",
        Some("Nordlys Design"),
        "Founder",
        "Oslo, Norway",
        L::Prospect,
        S::Linkedin,
        &["design"],
        Some(0),
    ),
    p(
        "Mei",
        "Tanaka",
        Some("Sakura Foods"),
        "Marketing Director",
        "Osaka, Japan",
        L::Lead,
        S::Website,
        &["ecommerce"],
        Some(2),
    ),
    p(
        "Omar",
        "Haddad",
        Some("Cedar Logistics"),
        "COO",
        "Beirut, Lebanon",
        L::Prospect,
        S::ColdOutreach,
        &["logistics"],
        Some(-6),
    ),
    p(
        "Sofia",
        "Rossi",
        Some("Trattoria Digitale"),
        "Owner",
        "Bologna, Italy",
        L::Client,
        S::Referral,
        &["restaurant", "retainer"],
        Some(21),
    ),
    p(
        "Jonas",
        "Weber",
        Some("Weber & Söhne"),
        "Managing Director",
        "Munich, Germany",
        L::Lead,
        S::Event,
        &["manufacturing"],
        Some(5),
    ),
    p(
        "Priya",
        "Raman",
        Some("Lotus Health"),
        "Product Lead",
        "Bengaluru, India",
        L::Prospect,
        S::Linkedin,
        &["healthcare", "saas"],
        Some(1),
    ),
    p(
        "Carlos",
        "Mendes",
        Some("Atlântico Surf Co"),
        "Founder",
        "Lisbon, Portugal",
        L::Client,
        S::SocialMedia,
        &["ecommerce"],
        Some(30),
    ),
    p(
        "Hannah",
        "Okafor",
        Some("Bright Path Coaching"),
        "Coach",
        "Lagos, Nigeria",
        L::Lead,
        S::Partner,
        &["coaching"],
        None,
    ),
    p(
        "Lucas",
        "Martin",
        Some("Atelier Martin"),
        "Architect",
        "Lyon, France",
        L::Inactive,
        S::Referral,
        &["design"],
        None,
    ),
    p(
        "Emma",
        "Johansson",
        Some("Nordlys Design"),
        "Art Director",
        "Oslo, Norway",
        L::Prospect,
        S::Referral,
        &["design", "vip"],
        Some(-1),
    ),
    p(
        "Noah",
        "Williams",
        Some("Greenleaf Legal"),
        "Partner",
        "Dublin, Ireland",
        L::Client,
        S::Referral,
        &["legal"],
        Some(9),
    ),
    p(
        "Aisha",
        "Khan",
        Some("Crescent Capital"),
        "Investment Manager",
        "Dubai, UAE",
        L::Lead,
        S::Event,
        &["finance", "investor"],
        Some(7),
    ),
    p(
        "Mateo",
        "García",
        Some("Barcelona Bikes"),
        "Owner",
        "Barcelona, Spain",
        L::Prospect,
        S::Website,
        &["ecommerce"],
        Some(-10),
    ),
    p(
        "Chloé",
        "Dubois",
        None,
        "Freelance copywriter",
        "Brussels, Belgium",
        L::Client,
        S::Partner,
        &["partner"],
        Some(14),
    ),
    p(
        "Ben",
        "Carter",
        Some("Carter Accounting"),
        "Accountant",
        "Manchester, UK",
        L::Inactive,
        S::ColdOutreach,
        &[],
        None,
    ),
    p(
        "Yuki",
        "Sato",
        Some("Sakura Foods"),
        "CEO",
        "Osaka, Japan",
        L::Prospect,
        S::Referral,
        &["ecommerce", "vip"],
        Some(3),
    ),
    p(
        "Fatima",
        "Zahra",
        Some("Atlas Travel"),
        "Operations Manager",
        "Casablanca, Morocco",
        L::Lead,
        S::Advertising,
        &["travel"],
        Some(-2),
    ),
    p(
        "Liam",
        "O'Brien",
        Some("Greenleaf Legal"),
        "Associate",
        "Dublin, Ireland",
        L::Lead,
        S::InboundEmail,
        &["legal"],
        Some(4),
    ),
    p(
        "Olivia",
        "Brown",
        Some("Brown & Co Realty"),
        "Broker",
        "Austin, TX",
        L::Client,
        S::Website,
        &["real estate"],
        Some(45),
    ),
    p(
        "Ethan",
        "Nguyen",
        Some("Pho Real"),
        "Owner",
        "Ho Chi Minh City, Vietnam",
        L::Lead,
        S::SocialMedia,
        &["restaurant"],
        Some(6),
    ),
    p(
        "Zara",
        "Ahmed",
        None,
        "Recruiter",
        "Toronto, Canada",
        L::Lead,
        S::Linkedin,
        &["recruiter", "job search"],
        Some(8),
    ),
    p(
        "Lena",
        "Fischer",
        Some("Weber & Söhne"),
        "Head of Marketing",
        "Munich, Germany",
        L::Prospect,
        S::Event,
        &["manufacturing"],
        Some(-4),
    ),
    p(
        "Tomás",
        "Silva",
        Some("Cedar Logistics"),
        "IT Manager",
        "São Paulo, Brazil",
        L::Lead,
        S::Referral,
        &["logistics"],
        Some(10),
    ),
    p(
        "Nora",
        "Lindqvist",
        Some("Lotus Health"),
        "CEO",
        "Stockholm, Sweden",
        L::Client,
        S::Referral,
        &["healthcare", "vip"],
        Some(18),
    ),
    p(
        "Kwame",
        "Mensah",
        Some("Gold Coast Coffee"),
        "Founder",
        "Accra, Ghana",
        L::Prospect,
        S::Event,
        &["ecommerce"],
        Some(0),
    ),
    p(
        "Isabel",
        "Ortega",
        Some("Andes Adventures"),
        "Marketing Lead",
        "Lima, Peru",
        L::Lead,
        S::Website,
        &["travel"],
        None,
    ),
    p(
        "Daniel",
        "Cohen",
        Some("Crescent Capital"),
        "Partner",
        "Tel Aviv, Israel",
        L::Inactive,
        S::Event,
        &["finance"],
        None,
    ),
    p(
        "Mia",
        "Schmidt",
        None,
        "Mentor, ex-agency founder",
        "Berlin, Germany",
        L::Client,
        S::Partner,
        &["mentor"],
        Some(25),
    ),
    p(
        "Ravi",
        "Patel",
        Some("Chai & Code"),
        "CTO",
        "Leicester, UK",
        L::Prospect,
        S::ColdOutreach,
        &["saas"],
        Some(-8),
    ),
    p(
        "Elena",
        "Popescu",
        Some("Carpathia Wines"),
        "Export Manager",
        "Cluj-Napoca, Romania",
        L::Lead,
        S::Advertising,
        &["ecommerce", "wine"],
        Some(12),
    ),
    p(
        "Samuel",
        "Adeyemi",
        Some("Bright Path Coaching"),
        "Director",
        "Lagos, Nigeria",
        L::Prospect,
        S::Partner,
        &["coaching"],
        Some(2),
    ),
    p(
        "Julia",
        "Kowalska",
        Some("Vistula Studio"),
        "Creative Director",
        "Warsaw, Poland",
        L::Client,
        S::Linkedin,
        &["design", "retainer"],
        Some(-1),
    ),
    p(
        "Henrik",
        "Larsen",
        Some("Fjord Fisheries"),
        "CFO",
        "Bergen, Norway",
        L::Lead,
        S::ColdOutreach,
        &[],
        Some(15),
    ),
    p(
        "Amara",
        "Diallo",
        Some("Sahel Solar"),
        "Founder",
        "Dakar, Senegal",
        L::Prospect,
        S::Event,
        &["energy", "vip"],
        Some(5),
    ),
];

fn slug(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ã' => 'a',
            'é' | 'è' => 'e',
            'í' => 'i',
            'ó' | 'ô' | 'ö' => 'o',
            'ü' => 'u',
            'ç' => 'c',
            c if c.is_ascii_alphanumeric() => c,
            _ => '-',
        })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// (name, industry, size, location) of the demo companies.
const COMPANIES: &[(&str, &str, &str, &str)] = &[
    ("Analytical Engines Ltd", "Engineering", "51-200", "London, UK"),
    ("Compiler Works", "Software", "201-1000", "Arlington, VA"),
    ("Nordlys Design", "Design agency", "2-10", "Oslo, Norway"),
    ("Sakura Foods", "Food & beverage", "51-200", "Osaka, Japan"),
    ("Cedar Logistics", "Logistics", "201-1000", "Beirut, Lebanon"),
    ("Trattoria Digitale", "Hospitality", "2-10", "Bologna, Italy"),
    ("Weber & Söhne", "Manufacturing", "51-200", "Munich, Germany"),
    ("Lotus Health", "Healthcare", "11-50", "Bengaluru, India"),
    ("Greenleaf Legal", "Legal services", "11-50", "Dublin, Ireland"),
    ("Crescent Capital", "Finance", "11-50", "Dubai, UAE"),
];

/// (kind, subject, outcome) of demo touchpoints, used in turn.
const TOUCHPOINTS: &[(InteractionKind, &str, Outcome)] = &[
    (InteractionKind::Call, "Intro call", Outcome::Positive),
    (InteractionKind::Email, "Sent the proposal", Outcome::NoResponse),
    (InteractionKind::Meeting, "Coffee at their office", Outcome::Positive),
    (InteractionKind::Email, "Follow-up on pricing", Outcome::Neutral),
    (InteractionKind::VideoCall, "Project kickoff", Outcome::Positive),
    (InteractionKind::Message, "Quick check-in on LinkedIn", Outcome::Neutral),
    (InteractionKind::Call, "Budget discussion", Outcome::Negative),
];

/// Logs a plausible history so that the contact's follow-up lands where `person.follow_up`
/// says: the latest touchpoint is the stage's cadence before that date, older ones spread
/// over the months before. A follow-up further out than the cadence is set by hand.
async fn history(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    contact: Uuid,
    person: &Person,
    i: usize,
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<()> {
    let cadence = CadenceDefaults::default().for_stage(person.lifecycle).map(i64::from);
    let latest_days_ago = match (person.follow_up, cadence) {
        (Some(due), Some(cadence)) if cadence - due >= 0 => Some(cadence - due),
        (Some(_), Some(_)) | (Some(_), None) => Some(20 + i as i64 % 30),
        (None, Some(_)) => None, // a new contact, never contacted yet
        (None, None) => Some(90 + i as i64 % 60),
    };
    let Some(latest) = latest_days_ago else {
        return Ok(());
    };
    let count = i % 4 + 1;
    let mut days_ago = latest + (count as i64 - 1) * 17;
    for n in 0..count {
        let (kind, subject, outcome) = TOUCHPOINTS[(i + n) % TOUCHPOINTS.len()];
        let sentiment = match outcome {
            Outcome::Positive => Some(Sentiment {
                label: SentimentLabel::Positive,
                score: 0.7,
            }),
            Outcome::Negative => Some(Sentiment {
                label: SentimentLabel::Negative,
                score: -0.5,
            }),
            _ => None,
        };
        let input = CreateInteraction {
            deal_id: None,
            contact_id: contact,
            kind,
            direction: Some(if n % 3 == 2 {
                Direction::Inbound
            } else {
                Direction::Outbound
            }),
            occurred_at: Some(now - Duration::days(days_ago) - Duration::hours((i % 8) as i64)),
            subject: Some(subject.into()),
            body: Some(format!("{subject} with {}. Next step agreed.", person.first)),
            outcome: Some(outcome),
            duration_minutes: matches!(
                kind,
                InteractionKind::Call | InteractionKind::Meeting | InteractionKind::VideoCall
            )
            .then_some(15 + (i as i32 % 4) * 15),
            sentiment,
        };
        interactions::service::create(conn, workspace, input)
            .await
            .map_err(|e| anyhow::anyhow!("demo interaction: {e}"))?;
        days_ago -= 17;
    }
    // A follow-up further away than the stage's cadence: set by hand, as a person would.
    if let (Some(due), Some(cadence)) = (person.follow_up, cadence)
        && cadence - due < 0
    {
        let changes = UpdateContact {
            next_follow_up_at: Some(Some(now + Duration::days(due))),
            ..Default::default()
        };
        service::update(conn, workspace, contact, changes, None)
            .await
            .map_err(|e| anyhow::anyhow!("demo follow-up: {e}"))?;
    }
    Ok(())
}

/// True when the workspace has no contacts at all (live or trashed).
pub async fn is_empty(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> anyhow::Result<bool> {
    Ok(!crate::contacts::service::any(conn, workspace)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?)
}

/// Loads the demo contacts; returns how many were created.
pub async fn load(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> anyhow::Result<usize> {
    let now = Utc::now();
    for (name, industry, size, location) in COMPANIES {
        let input = CreateCompany {
            name: (*name).into(),
            domain: Some(format!("{}.example", slug(name))),
            industry: Some((*industry).into()),
            size: Some((*size).into()),
            location: Some((*location).into()),
            notes: None,
            custom_fields: Default::default(),
        };
        companies::service::create(conn, workspace, input)
            .await
            .map_err(|e| anyhow::anyhow!("demo company {name}: {e}"))?;
    }
    let mut people = Vec::with_capacity(PEOPLE.len());
    for (i, person) in PEOPLE.iter().enumerate() {
        let domain = person
            .company
            .map(|c| format!("{}.example", slug(c)))
            .unwrap_or_else(|| "example.com".into());
        let email = format!("{}.{}@{}", slug(person.first), slug(person.last), domain);
        let input = CreateContact {
            time_zone: None,
            owner_id: None,
            first_name: person.first.into(),
            last_name: Some(person.last.into()),
            emails: vec![email],
            phones: vec![format!("+1 555 01{:02}", i)],
            company_name: person.company.map(Into::into),
            company_id: None,
            job_title: Some(person.title.into()),
            website: person.company.map(|_| format!("https://{domain}")),
            linkedin_url: Some(format!(
                "https://www.linkedin.com/in/{}-{}",
                slug(person.first),
                slug(person.last)
            )),
            twitter_url: None,
            location: Some(person.city.into()),
            source: Some(person.source),
            lifecycle: Some(person.lifecycle),
            relationship_type: Some(match person.lifecycle {
                L::Client => RelationshipType::Client,
                L::Prospect | L::Lead => RelationshipType::Prospect,
                L::Inactive => RelationshipType::Other,
            }),
            connection_strength: Some((i % 5 + 1) as i16),
            notes: Some(format!(
                "Met through {}. Interested in {}.",
                person.source,
                person.tags.first().unwrap_or(&"a website refresh")
            )),
            tags: person.tags.iter().map(|t| (*t).to_owned()).collect(),
            follow_up_cadence_days: None,
            next_follow_up_at: None,
            custom_fields: Default::default(),
        };
        let contact = service::create(conn, workspace, input)
            .await
            .map_err(|e| anyhow::anyhow!("demo contact {}: {e}", person.first))?;
        history(conn, workspace, contact.id, person, i, now).await?;
        people.push((contact.id, person));
    }
    deals_and_payments(conn, workspace, &people).await?;
    Ok(PEOPLE.len())
}

/// The workspace's starter pipeline of this name (every workspace begins with "Sales" and
/// "Job search").
async fn pipeline_named(conn: &mut AsyncPgConnection, workspace: WorkspaceId, name: &str) -> anyhow::Result<Uuid> {
    pipelines::service::list(conn, workspace)
        .await
        .map_err(|e| anyhow::anyhow!("demo pipelines: {e}"))?
        .items
        .into_iter()
        .find(|p| p.name == name)
        .map(|p| p.id)
        .ok_or_else(|| anyhow::anyhow!("the workspace has no \"{name}\" pipeline for the demo deals"))
}

const DEAL_TITLES: &[&str] = &[
    "Website redesign",
    "Brand refresh",
    "Analytics dashboard",
    "Mobile app MVP",
    "SEO audit",
    "Monthly support retainer",
    "Checkout optimisation",
    "Design system",
    "Onboarding emails",
    "Data migration",
];

const LOST_REASONS: &[&str] = &[
    "Went with a cheaper agency",
    "Budget frozen",
    "No reply after the proposal",
];

const APPLICATIONS: &[(&str, &str, i64)] = &[
    ("Senior product designer at Northwind", "Interested", 0),
    ("Design lead at Globex", "Applied", 650_000),
    ("UX consultant, Initech", "Phone screen", 720_000),
    ("Head of design at Umbrella", "Interview", 900_000),
    ("Product designer at Hooli", "Final round", 780_000),
    ("Contract designer at Stark", "Offer", 850_000),
    ("Designer at Vandelay", "Rejected", 600_000),
    ("Design manager at Soylent", "Withdrawn", 880_000),
];

const PRODUCTS: &[(&str, &str, &str, i64, &str)] = &[
    (
        "Discovery workshop",
        "WS-01",
        "Consulting",
        150_000,
        "A half-day workshop to agree goals, audience and scope.",
    ),
    (
        "UX audit",
        "AUD-01",
        "Consulting",
        240_000,
        "Heuristic review of an existing product with a prioritised report.",
    ),
    (
        "Design sprint (week)",
        "DS-05",
        "Design",
        600_000,
        "Five days from problem to tested prototype.",
    ),
    (
        "Development (hour)",
        "DEV-H",
        "Development",
        9_500,
        "Front-end or back-end development, billed by the hour.",
    ),
    (
        "Landing page",
        "LP-01",
        "Development",
        320_000,
        "Design and build of one responsive landing page.",
    ),
    (
        "Monthly support",
        "SUP-M",
        "Support",
        80_000,
        "Up to 8 hours of fixes and small changes a month.",
    ),
    (
        "Hosting (year)",
        "HOST-Y",
        "Services",
        36_000,
        "Managed hosting with backups and monitoring.",
    ),
    (
        "Copywriting (page)",
        "COPY-P",
        "Content",
        45_000,
        "Web copy for one page, two rounds of edits.",
    ),
];

/// A product catalogue and a sent proposal on the first deal in the Proposal stage.
async fn catalogue_and_proposal(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    proposal_stage: Option<Uuid>,
) -> anyhow::Result<()> {
    let mut ids = Vec::new();
    for (name, sku, category, price, description) in PRODUCTS {
        let input = CreateProduct {
            name: (*name).into(),
            sku: Some((*sku).into()),
            category: Some((*category).into()),
            price_minor: *price,
            currency: Some("EUR".into()),
            description: Some((*description).into()),
            in_stock: Some(*sku != "HOST-Y"),
        };
        let product = products::service::create(conn, workspace, input)
            .await
            .map_err(|e| anyhow::anyhow!("demo product {name}: {e}"))?;
        ids.push(product.id);
    }
    let params = crate::deals::dto::ListDealsParams {
        stage_id: proposal_stage.map(|s| s.to_string()),
        sort: Some("title".into()),
        limit: Some("1".into()),
        ..Default::default()
    };
    let page = deals::service::list(conn, workspace, &params, Uuid::nil())
        .await
        .map_err(|e| anyhow::anyhow!("demo deals: {e}"))?;
    let Some(deal) = page.items.into_iter().next() else {
        return Ok(());
    };
    let line = |product: Uuid, quantity: f64, discount: f64| NewLine {
        product_id: Some(product),
        description: None,
        quantity: Some(quantity),
        unit_price_minor: None,
        discount_percent: Some(discount),
    };
    let input = CreateProposal {
        deal_id: deal.id,
        title: Some(format!("{} — proposal", deal.title)),
        currency: None,
        tax_rate_percent: Some(20.0),
        introduction: Some(format!(
            "Thank you for considering us for {}. This proposal sets out the scope, the timeline and the investment we discussed.",
            deal.title.to_lowercase()
        )),
        terms: Some("50% on signature, 50% on delivery. Payment within 30 days of invoice. Valid for 30 days.".into()),
        valid_until: Some(Utc::now().date_naive() + Duration::days(30)),
        lines: vec![line(ids[0], 1.0, 0.0), line(ids[3], 40.0, 10.0), line(ids[5], 3.0, 0.0)],
    };
    let proposal = proposals::service::create(conn, workspace, input)
        .await
        .map_err(|e| anyhow::anyhow!("demo proposal: {e}"))?;
    let sent = UpdateProposal {
        status: Some(ProposalStatus::Sent),
        ..Default::default()
    };
    proposals::service::update(conn, workspace, proposal.id, sent, None)
        .await
        .map_err(|e| anyhow::anyhow!("demo proposal: {e}"))?;
    Ok(())
}

/// Shifts a deal's whole timeline (creation, stage changes, closing) `days` into the past.
async fn backdate(conn: &mut AsyncPgConnection, workspace: WorkspaceId, deal: Uuid, days: i64) -> anyhow::Result<()> {
    deals::service::backdate(conn, workspace, deal, days, true)
        .await
        .map_err(|e| anyhow::anyhow!("demo deal dates: {e}"))?;
    Ok(())
}

async fn move_deal(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    deal: Uuid,
    change: UpdateDeal,
) -> anyhow::Result<crate::deals::dto::Deal> {
    deals::service::update(conn, workspace, deal, change, None)
        .await
        .map_err(|e| anyhow::anyhow!("demo deal move: {e}"))
}

/// Deals in both pipelines at every stage, some won and lost, and a year of payments.
async fn deals_and_payments(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    people: &[(Uuid, &Person)],
) -> anyhow::Result<()> {
    let sales = pipeline_named(conn, workspace, "Sales").await?;
    let stages = pipelines::service::stages(conn, workspace, sales)
        .await
        .map_err(|e| anyhow::anyhow!("demo stages: {e}"))?;
    let stage = |name: &str| stages.iter().find(|s| s.name == name).map(|s| s.id);
    let today = Utc::now().date_naive();
    for (i, (contact, person)) in people.iter().enumerate() {
        let title = DEAL_TITLES[i % DEAL_TITLES.len()].to_owned();
        let retainer = i % 4 == 0;
        let value = 150_000 + (i as i64 % 7) * 125_000;
        let input = CreateDeal {
            owner_id: None,
            title: title.clone(),
            contact_id: Some(*contact),
            company_id: None,
            pipeline_id: Some(sales),
            stage_id: None,
            value_minor: Some(if retainer { value / 4 } else { value }),
            currency: Some("EUR".into()),
            recurring_months: retainer.then_some(6 + (i as i32 % 3) * 3),
            probability: None,
            expected_close_date: Some(today + Duration::days(7 + (i as i64 * 11) % 120)),
            lost_reason: None,
            notes: None,
            custom_fields: Default::default(),
        };
        let deal = deals::service::create(conn, workspace, input)
            .await
            .map_err(|e| anyhow::anyhow!("demo deal {title}: {e}"))?;
        let to = |name: &str| UpdateDeal {
            stage_id: stage(name),
            ..Default::default()
        };
        match person.lifecycle {
            L::Lead => backdate(conn, workspace, deal.id, (i as i64 % 5) * 4).await?,
            L::Prospect => {
                move_deal(conn, workspace, deal.id, to("Qualified")).await?;
                if i % 2 == 0 {
                    move_deal(conn, workspace, deal.id, to("Proposal")).await?;
                }
                backdate(conn, workspace, deal.id, 3 + (i as i64 % 6) * 5).await?;
            }
            L::Client => {
                move_deal(conn, workspace, deal.id, to("Qualified")).await?;
                move_deal(conn, workspace, deal.id, to("Proposal")).await?;
                let won = move_deal(conn, workspace, deal.id, to("Won (Client)")).await?;
                let months_ago = 1 + (i as i64 % 10);
                backdate(conn, workspace, deal.id, months_ago * 30).await?;
                // Winning took a few weeks: the deal started earlier than it closed.
                deals::service::backdate(conn, workspace, deal.id, 12 + (i as i64 % 5) * 6, false)
                    .await
                    .map_err(|e| anyhow::anyhow!("demo deal dates: {e}"))?;
                // Clients paid: an instalment a month since the deal was won.
                let instalments = if retainer {
                    won.recurring_months.unwrap_or(1) as i64
                } else {
                    2
                };
                let per = won.total_value_minor / instalments;
                for m in 0..instalments.min(months_ago) {
                    let input = CreatePayment {
                        contact_id: *contact,
                        deal_id: Some(deal.id),
                        amount_minor: per,
                        currency: None,
                        received_on: today - Duration::days((months_ago - m) * 30 - 5),
                        note: Some(format!("Invoice {}-{:03}", today.format("%Y"), i * 10 + m as usize + 1)),
                    };
                    payments::service::create(conn, workspace, input)
                        .await
                        .map_err(|e| anyhow::anyhow!("demo payment: {e}"))?;
                }
            }
            L::Inactive => {
                move_deal(conn, workspace, deal.id, to("Qualified")).await?;
                move_deal(
                    conn,
                    workspace,
                    deal.id,
                    UpdateDeal {
                        status: Some(DealStatus::Lost),
                        lost_reason: Some(Some(LOST_REASONS[i % LOST_REASONS.len()].into())),
                        ..Default::default()
                    },
                )
                .await?;
                backdate(conn, workspace, deal.id, 40 + (i as i64 % 4) * 20).await?;
            }
        }
    }
    let proposal_stage = stage("Proposal");
    catalogue_and_proposal(conn, workspace, proposal_stage).await?;
    // The job-search pipeline, one application at every stage.
    let job_search = pipeline_named(conn, workspace, "Job search").await?;
    let job_stages = pipelines::service::stages(conn, workspace, job_search)
        .await
        .map_err(|e| anyhow::anyhow!("demo stages: {e}"))?;
    for (i, (title, stage_name, salary)) in APPLICATIONS.iter().enumerate() {
        let input = CreateDeal {
            owner_id: None,
            title: (*title).into(),
            contact_id: None,
            company_id: None,
            pipeline_id: Some(job_search),
            stage_id: None,
            value_minor: Some(*salary),
            currency: Some("EUR".into()),
            recurring_months: None,
            probability: None,
            expected_close_date: Some(today + Duration::days(14 + i as i64 * 6)),
            lost_reason: None,
            notes: Some("Yearly salary.".into()),
            custom_fields: Default::default(),
        };
        let deal = deals::service::create(conn, workspace, input)
            .await
            .map_err(|e| anyhow::anyhow!("demo application {title}: {e}"))?;
        let starts_there =
            <[_]>::first(&job_stages).is_some_and(|s: &crate::pipelines::store::StageRow| s.name == *stage_name);
        for s in job_stages.iter().skip(1).take_while(|_| !starts_there) {
            if s.kind == crate::pipelines::dto::StageKind::Open || s.name == *stage_name {
                move_deal(
                    conn,
                    workspace,
                    deal.id,
                    UpdateDeal {
                        stage_id: Some(s.id),
                        ..Default::default()
                    },
                )
                .await?;
            }
            if s.name == *stage_name {
                break;
            }
        }
        backdate(conn, workspace, deal.id, 2 + i as i64 * 3).await?;
    }
    Ok(())
}
