//! English.

use super::{Book, Say};
use crate::contacts::dto::{ContactSource, Lifecycle};
use crate::interactions::dto::InteractionKind;

pub const BOOK: Book = Book {
    template,
    lifecycle,
    source,
    kind,
    deal_statuses: ["open", "won", "lost"],
    months: MONTHS,
    separators: (',', '.'),
};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn lifecycle(l: Lifecycle) -> &'static str {
    match l {
        Lifecycle::Lead => "a lead",
        Lifecycle::Prospect => "a prospect",
        Lifecycle::Client => "a client",
        Lifecycle::Inactive => "an inactive contact",
    }
}

fn source(s: ContactSource) -> &'static str {
    match s {
        ContactSource::Referral => "a referral",
        ContactSource::Website => "your website",
        ContactSource::Linkedin => "LinkedIn",
        ContactSource::Event => "an event",
        ContactSource::ColdOutreach => "cold outreach",
        ContactSource::SocialMedia => "social media",
        ContactSource::Partner => "a partner",
        ContactSource::Advertising => "advertising",
        ContactSource::InboundEmail => "an inbound email",
        ContactSource::Other => "another channel",
    }
}

fn kind(k: InteractionKind) -> [&'static str; 3] {
    match k {
        InteractionKind::Email => ["email", "an email", "emails"],
        InteractionKind::Call => ["call", "a call", "calls"],
        InteractionKind::Meeting => ["meeting", "a meeting", "meetings"],
        InteractionKind::VideoCall => ["video call", "a video call", "video calls"],
        InteractionKind::Message => ["message", "a message", "messages"],
        InteractionKind::Social => [
            "social media exchange",
            "a social media exchange",
            "social media exchanges",
        ],
        InteractionKind::Note => ["note", "a note", "notes"],
        InteractionKind::Other => ["touchpoint", "a touchpoint", "other touchpoints"],
    }
}

fn template(key: Say) -> &'static str {
    use Say::*;
    match key {
        IntroTitleCompany => "{name}, {title} at {company}, is {lifecycle}",
        IntroTitle => "{name}, {title}, is {lifecycle}",
        IntroCompany => "{name} from {company} is {lifecycle}",
        Intro => "{name} is {lifecycle}",
        CameThrough => " who came through {source}",
        TouchpointOne => "{n} touchpoint",
        TouchpointMany => "{n} touchpoints",
        SinceLatest => "{touchpoints} since {since}, the latest {kind} on {date}.",
        NoTouchpointYet => "No touchpoint logged yet.",
        OpenDealOne => "{n} open deal",
        OpenDealMany => "{n} open deals",
        OpenDeals => "{deals} ({list}).",
        DealInStage => "{title} in {stage}",

        StyleUnknown => "Unknown yet: log a first touchpoint with {first} to learn how they like to talk.",
        StyleMostly => "Mostly {kinds} ({n} of {total})",
        StyleTheyReachOut => "; {first} often reaches out first ({inbound} inbound, {outbound} outbound)",
        StyleYouReachOut => "; you usually reach out ({outbound} outbound, {inbound} inbound)",
        PositiveOne => "{n} positive outcome",
        PositiveMany => "{n} positive outcomes",
        StyleOutcomes => "; {positive}, {silent} without a reply",

        InterestedIn => "Interested in: {tags}",
        BasedIn => "Based in {location}: mind the time zone when proposing a slot",
        FromNotes => "From your notes: {notes}",
        NothingRecorded => "Nothing recorded yet: add tags or notes after the next conversation",

        LastTime => "Last time ({date}): {what}",
        NotesFromThen => "Notes from then: {notes}",
        DealStanding => "{title} is in {stage} at {value} ({probability} likely)",
        OpenTodo => "Open to-do: {title} (due {date})",
        FirstConversation => "This would be your first conversation with {first}",

        DayOne => "{n} day",
        DayMany => "{n} days",
        FollowUpOverdue => "The follow-up is {days} overdue",
        NoReplyStreak => "The last {n} touchpoints got no reply",
        WentBadly => "The last conversation went badly",
        QuietFor => "No touchpoint for {n} days",
        ExpectedClose => "{title} was expected to close on {date}",
        SatInStage => "{title} has sat in {stage} for {n} days",

        GetInTouchToday => "Get in touch with {first} today",
        GetInTouchBy => "Get in touch with {first} by {date}",
        FollowUpProposal => "Follow up on the proposal for {title}",
        Qualify => "Qualify {title}: budget, timing, who decides",
        AgreeNextStep => "Agree the next step that moves {title} forward",
        FindNeeds => "Find out what {first} needs and open a deal if there is one",
        TryAnotherChannel => "Try another channel than the last ones",
        CheckIn => "Check in with {first} and log how it went",

        GreetFormal => "Dear {first},",
        GreetConcise => "Hi {first},",
        GreetFriendly => "Hi {first},",
        GreetEnthusiastic => "Hi {first}!",
        SignOffFormal => "Kind regards,",
        SignOffConcise => "Best,",
        SignOffFriendly => "Best wishes,",
        SignOffEnthusiastic => "Looking forward to it,",
        WhatWeDiscussed => "what we discussed",
        PostScript => "P.S. {text}",
        FollowUpSubject => "Following up on {about}",
        FollowUpBody => {
            "I wanted to follow up on {about}. Is this still a priority{for_company}? I would be glad to help with the next step."
        }
        ForCompany => " for {company}",
        IntroSubject => "Introduction{helping}",
        HelpingCompany => ": helping {company}",
        IntroBody => {
            "I help teams like yours with projects of this kind, from the first workshop to delivery. Would a 20-minute call next week be useful?"
        }
        MeetingSubject => "Time to talk about {about}?",
        MeetingBody => {
            "Could we find 30 minutes this week or next to talk about {about}? Tell me what suits you and I will send an invitation."
        }
        ProposalSubject => "Proposal: {title}",
        ProposalSubjectPlain => "My proposal",
        ProposalBody => {
            "As promised, here is my proposal for {title}. It sets out the scope, the timeline and the investment. I am happy to walk you through it."
        }
        ProposalBodyPlain => {
            "As promised, here is my proposal. It sets out the scope, the timeline and the investment. I am happy to walk you through it."
        }
        ThankYouSubject => "Thank you, {first}",
        ThankYouBody => {
            "Thank you for your time. It was good to talk about {about}; I will send the next steps shortly."
        }
        ThankYouBodyRecent => {
            "Thank you for your time the other day. It was good to talk about {about}; I will send the next steps shortly."
        }
        ReEngageSubject => "It has been a while, {first}",
        ReEngageBody => {
            "It has been a while since we last spoke{about_last}. How are things{at_company}? I would love to hear what you are working on."
        }
        AboutLast => " (about {topic})",
        AtCompany => " at {company}",
        CheckInSubject => "Checking in",
        CheckInBody => "Just checking in to see how everything is going. Is there anything I can help with this month?",
        OtherSubject => "About {about}",
        OtherBody => "I am writing about {about}.",

        LabelStage => "Stage",
        LabelRecentContact => "Recent contact",
        LabelEngagement => "Engagement",
        LabelOutcomes => "Outcomes",
        LabelReachesOut => "Reaches out",
        LabelOpenDeal => "Open deal",
        LabelSource => "Source",
        LabelConnection => "Connection strength",
        LabelOverdue => "Overdue follow-up",
        LastTouchpointAgo => "Last touchpoint {days} ago",
        LastTouchpointToday => "Last touchpoint today",
        NoTouchpointDetail => "No touchpoint yet",
        TouchpointsIn90 => "{touchpoints} in 90 days",
        OutcomesDetail => "{positive} positive and {silent} unanswered of {judged}",
        ReachesOutDetail => "Got in touch first at least once in 90 days",
        OpenDealDetail => "{title} in {stage} ({probability})",
        CameThroughDetail => "Came through {source}",
        StrengthDetail => "{n} of 5",
        DaysLate => "{days} late",
        BandStrong => "a strong lead",
        BandPromising => "a promising lead",
        BandLukewarm => "a lukewarm lead",
        BandCold => "a cold lead",
        ScoreIntro => "{name} scores {score}/100, {band}.",
        MostlyThanksTo => " Mostly thanks to {list}.",
        HeldBackBy => " Held back by {list}.",

        AnalysisSummary => "{kind} ({date}): {text}.",
        AnalysisEmpty => "{kind} on {date} with nothing written down.",

        ChatNoDeal => "There is no deal with {first} yet. If there is a need, open one from the contact page.",
        ChatDealLine => "{title} — {status} in {stage}, {value}{expected}",
        ChatExpected => ", expected {date}",
        ChatDealsWith => "Deals with {first}:",
        ChatLastTouchpoint => "The last touchpoint was {kind} on {date}{subject}{body}.",
        ChatSubject => ": {subject}",
        ChatNothingLogged => "Nothing is logged with {first} yet.",
        ChatNextSteps => "Next steps with {first}:",
        ChatNothingWorrying => "Nothing worrying in what is logged about {first}.",
        ChatThingsToWatch => "Things to watch:",
        ChatEmailWay => "email {email}",
        ChatPhoneWay => "phone {phone}",
        ChatOr => " or ",
        ChatReach => "You can reach {first} by {ways}.",
        ChatNoWays => "No email or phone is recorded for {first}.",
        ChatSuggestedNext => " Suggested next: {step}.",
        ChatAskMe => " Ask me about deals, the last conversation, next steps, risks or how to reach them.",

        ProposalPerMonth => "{title} (per month)",
        ProposalTitle => "{title} — proposal",
        ProposalGreeting => "Dear {first},\n\nThank you for your interest.",
        ProposalThanks => "Thank you for your interest.",
        ProposalIntroTopic => {
            " Following our conversation about {topic}, this proposal sets out how I would deliver {title}: the scope, the investment and the terms."
        }
        ProposalIntro => {
            " This proposal sets out how I would deliver {title}: the scope, the investment and the terms."
        }
        ProposalTerms => {
            "50% on signature, 50% on delivery. Payment within 30 days of invoice. This proposal is valid for 30 days."
        }

        ParseAutomated => "Looks like an automated or bulk message",
        ParseAsksAboutWork => "Asks about work ({words}){amount}",
        ParseNamesAmount => " and names an amount ({amount})",
        ParseNoSign => "No sign of a request for work",
        ParseWeakSign => "Only a weak sign of a request for work ({words})",
        ParseNewProject => "New project",
        ParseUnknownName => "Unknown",
    }
}
