//! The built-in offline model's sentences in each language Rapport speaks. Every sentence is a
//! template named by a [`Say`] key, with `{placeholders}` filled in one pass (a value such as a
//! contact's name is never read as a template). Each language's module matches every key, so a
//! missing sentence does not compile, and a test checks that every language's template uses the
//! same placeholders as the English one. Dates and amounts are written as people of that
//! language write them.

use chrono::{Datelike, NaiveDate};

use crate::accounts::dto::Locale;
use crate::contacts::dto::{ContactSource, Lifecycle};
use crate::interactions::dto::InteractionKind;

mod en;
mod es;
mod fr;

macro_rules! keys {
    ($($key:ident),+ $(,)?) => {
        /// A sentence (or part of one) of the offline model.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Say {
            $($key),+
        }

        #[cfg(test)]
        impl Say {
            pub const ALL: &'static [Say] = &[$(Say::$key),+];
        }
    };
}

keys! {
    // Contact insights: the summary.
    IntroTitleCompany, IntroTitle, IntroCompany, Intro, CameThrough,
    TouchpointOne, TouchpointMany, SinceLatest, NoTouchpointYet,
    OpenDealOne, OpenDealMany, OpenDeals, DealInStage,
    // Communication style.
    StyleUnknown, StyleMostly, StyleTheyReachOut, StyleYouReachOut, PositiveOne, PositiveMany,
    StyleOutcomes,
    // Preferences.
    InterestedIn, BasedIn, FromNotes, NothingRecorded,
    // Before the next meeting.
    LastTime, NotesFromThen, DealStanding, OpenTodo, FirstConversation,
    // Risks.
    DayOne, DayMany, FollowUpOverdue, NoReplyStreak, WentBadly, QuietFor, ExpectedClose, SatInStage,
    // Next steps.
    GetInTouchToday, GetInTouchBy, FollowUpProposal, Qualify, AgreeNextStep, FindNeeds,
    TryAnotherChannel, CheckIn,
    // Email drafts.
    GreetFormal, GreetConcise, GreetFriendly, GreetEnthusiastic,
    SignOffFormal, SignOffConcise, SignOffFriendly, SignOffEnthusiastic,
    WhatWeDiscussed, PostScript,
    FollowUpSubject, FollowUpBody, ForCompany,
    IntroSubject, HelpingCompany, IntroBody,
    MeetingSubject, MeetingBody,
    ProposalSubject, ProposalSubjectPlain, ProposalBody, ProposalBodyPlain,
    ThankYouSubject, ThankYouBody, ThankYouBodyRecent,
    ReEngageSubject, ReEngageBody, AboutLast, AtCompany,
    CheckInSubject, CheckInBody,
    OtherSubject, OtherBody,
    // Lead scores: the factors' labels and details, and the explanation.
    LabelStage, LabelRecentContact, LabelEngagement, LabelOutcomes, LabelReachesOut, LabelOpenDeal,
    LabelSource, LabelConnection, LabelOverdue,
    LastTouchpointAgo, LastTouchpointToday, NoTouchpointDetail, TouchpointsIn90, OutcomesDetail, ReachesOutDetail,
    OpenDealDetail, CameThroughDetail, StrengthDetail, DaysLate,
    BandStrong, BandPromising, BandLukewarm, BandCold,
    ScoreIntro, MostlyThanksTo, HeldBackBy,
    // Interaction analysis.
    AnalysisSummary, AnalysisEmpty,
    // The sales assistant.
    ChatNoDeal, ChatDealLine, ChatExpected, ChatDealsWith, ChatLastTouchpoint, ChatSubject,
    ChatNothingLogged, ChatNextSteps, ChatNothingWorrying, ChatThingsToWatch, ChatEmailWay,
    ChatPhoneWay, ChatOr, ChatReach, ChatNoWays, ChatSuggestedNext, ChatAskMe,
    // Proposal drafts.
    ProposalPerMonth, ProposalTitle, ProposalGreeting, ProposalThanks, ProposalIntroTopic,
    ProposalIntro, ProposalTerms,
    // Reading an email.
    ParseAutomated, ParseAsksAboutWork, ParseNamesAmount, ParseNoSign, ParseWeakSign,
    ParseNewProject, ParseUnknownName,
}

/// The sentences of one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Phrases(pub Locale);

impl Phrases {
    /// The sentences of the current request's language.
    pub fn current() -> Phrases {
        Phrases(super::language::current())
    }

    /// This language's phrasebook.
    fn book(self) -> &'static Book {
        match self.0 {
            Locale::En => &en::BOOK,
            Locale::Es => &es::BOOK,
            Locale::Fr => &fr::BOOK,
        }
    }

    fn template(self, key: Say) -> &'static str {
        (self.book().template)(key)
    }

    /// The sentence `key` with its placeholders filled from `args` (`{name}` → the value named
    /// `name`). A placeholder without a value is left as it is.
    pub fn say(self, key: Say, args: &[(&str, &dyn std::fmt::Display)]) -> String {
        fill(self.template(key), args)
    }

    /// `one` or `many` by `n` (French counts 0 as singular), with `{n}` filled.
    pub fn count(self, n: usize, one: Say, many: Say) -> String {
        let single = match self.0 {
            Locale::Fr => n <= 1,
            Locale::En | Locale::Es => n == 1,
        };
        self.say(if single { one } else { many }, &[("n", &n)])
    }

    /// "5 Dec 2026", "5 dic 2026", "5 déc. 2026".
    pub fn date(self, d: NaiveDate) -> String {
        let month = self.book().months[d.month0() as usize];
        format!("{} {month} {}", d.day(), d.year())
    }

    /// An amount as the language writes it: "12,345.67 EUR", "12.345,67 EUR", "12 345,67 EUR".
    pub fn money(self, amount_minor: i64, currency: &str) -> String {
        let (group, decimal) = self.book().separators;
        crate::money::format_with(amount_minor, currency, group, decimal)
    }

    /// A percentage: "40%", "40 %".
    pub fn percent(self, n: impl std::fmt::Display) -> String {
        match self.0 {
            Locale::En => format!("{n}%"),
            Locale::Es | Locale::Fr => format!("{n}\u{a0}%"),
        }
    }

    /// A lifecycle stage with its article: "a lead", "un lead", "une piste".
    pub fn lifecycle(self, l: Lifecycle) -> &'static str {
        (self.book().lifecycle)(l)
    }

    /// Where a contact came from, as the end of "who came through …".
    pub fn source(self, s: ContactSource) -> &'static str {
        (self.book().source)(s)
    }

    /// A kind of touchpoint: its name ("call"), with an article ("a call") or in the plural
    /// ("calls").
    pub fn kind(self, k: InteractionKind, form: KindForm) -> &'static str {
        let [name, with_article, plural] = (self.book().kind)(k);
        match form {
            KindForm::Name => name,
            KindForm::WithArticle => with_article,
            KindForm::Plural => plural,
        }
    }

    /// A deal's status (`open`, `won`, `lost`) as a word.
    pub fn deal_status(self, status: &str) -> &'static str {
        let [open, won, lost] = self.book().deal_statuses;
        match status {
            "won" => won,
            "lost" => lost,
            _ => open,
        }
    }

    /// A sentence made enthusiastic: its first full stop becomes an exclamation mark (in Spanish
    /// the sentence opens with ¡, in French a space comes before the mark).
    pub fn exclaim(self, text: &str) -> String {
        let Some(end) = text.find('.') else {
            return text.to_owned();
        };
        let (sentence, rest) = (&text[..end], &text[end + 1..]);
        match self.0 {
            Locale::En => format!("{sentence}!{rest}"),
            Locale::Es => format!("¡{sentence}!{rest}"),
            Locale::Fr => format!("{sentence} !{rest}"),
        }
    }
}

/// One language's words: its sentences, the names of Rapport's values and how it writes dates
/// and amounts.
pub struct Book {
    pub template: fn(Say) -> &'static str,
    /// A lifecycle stage with its article.
    pub lifecycle: fn(Lifecycle) -> &'static str,
    /// Where a contact came from, as the end of "who came through …".
    pub source: fn(ContactSource) -> &'static str,
    /// A kind of touchpoint: its name, with an article, in the plural.
    pub kind: fn(InteractionKind) -> [&'static str; 3],
    /// Open, won, lost.
    pub deal_statuses: [&'static str; 3],
    /// The months' short names, January first.
    pub months: [&'static str; 12],
    /// The thousands separator and the decimal mark.
    pub separators: (char, char),
}

/// How a kind of touchpoint is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KindForm {
    Name,
    WithArticle,
    Plural,
}

/// The first letter in upper case.
pub fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn fill(template: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            args.iter()
                .find(|(name, _)| *name == &after[..close])
                .map(|a| (a, close))
        });
        match value {
            Some(((_, v), close)) => {
                let _ = write!(out, "{v}");
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(template: &str) -> Vec<&str> {
        let mut names: Vec<&str> = template
            .split('{')
            .skip(1)
            .filter_map(|part| part.split_once('}').map(|(name, _)| name))
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    #[test]
    fn every_language_has_every_sentence_with_the_same_placeholders() {
        for key in Say::ALL {
            let english = placeholders((en::BOOK.template)(*key));
            for lang in [Locale::Es, Locale::Fr] {
                let text = Phrases(lang).template(*key);
                assert!(!text.trim().is_empty(), "{lang} {key:?} is empty");
                assert_eq!(placeholders(text), english, "{lang} {key:?}: {text}");
            }
        }
    }

    #[test]
    fn values_are_never_read_as_templates() {
        let t = Phrases(Locale::En);
        let name = "{first} {n}";
        assert_eq!(
            t.say(Say::GetInTouchToday, &[("first", &name)]),
            "Get in touch with {first} {n} today"
        );
        assert_eq!(fill("{a} and {b} {", &[("a", &1)]), "1 and {b} {");
    }

    #[test]
    fn counts_dates_and_amounts_follow_the_language() {
        let (en, es, fr) = (Phrases(Locale::En), Phrases(Locale::Es), Phrases(Locale::Fr));
        assert_eq!(en.count(0, Say::DayOne, Say::DayMany), "0 days");
        assert_eq!(es.count(1, Say::DayOne, Say::DayMany), "1 día");
        assert_eq!(fr.count(0, Say::DayOne, Say::DayMany), "0 jour");
        assert_eq!(fr.count(2, Say::DayOne, Say::DayMany), "2 jours");
        let d = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        assert_eq!(en.date(d), "5 Dec 2026");
        assert_eq!(es.date(d), "5 dic 2026");
        assert_eq!(fr.date(d), "5 déc. 2026");
        assert_eq!(en.money(1_234_567, "EUR"), "12,345.67 EUR");
        assert_eq!(es.money(1_234_567, "EUR"), "12.345,67 EUR");
        assert_eq!(fr.money(1_234_567, "EUR"), "12\u{202f}345,67 EUR");
        assert_eq!(es.exclaim("Hola. Adiós."), "¡Hola! Adiós.");
        assert_eq!(fr.exclaim("Merci. Bien."), "Merci ! Bien.");
        assert_eq!(capitalized("él"), "Él");
    }
}
