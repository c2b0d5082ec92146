//! French (addressing the user as « vous », as the web app does).

use super::{Book, Say};
use crate::contacts::dto::{ContactSource, Lifecycle};
use crate::interactions::dto::InteractionKind;

pub const BOOK: Book = Book {
    template,
    lifecycle,
    source,
    kind,
    deal_statuses: ["ouverte", "gagnée", "perdue"],
    months: MONTHS,
    separators: ('\u{202f}', ','),
};

const MONTHS: [&str; 12] = [
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.",
];

fn lifecycle(l: Lifecycle) -> &'static str {
    match l {
        Lifecycle::Lead => "une nouvelle piste",
        Lifecycle::Prospect => "un prospect",
        Lifecycle::Client => "un client",
        Lifecycle::Inactive => "un contact inactif",
    }
}

fn source(s: ContactSource) -> &'static str {
    match s {
        ContactSource::Referral => "recommandation",
        ContactSource::Website => "votre site web",
        ContactSource::Linkedin => "LinkedIn",
        ContactSource::Event => "un événement",
        ContactSource::ColdOutreach => "prospection à froid",
        ContactSource::SocialMedia => "les réseaux sociaux",
        ContactSource::Partner => "un partenaire",
        ContactSource::Advertising => "la publicité",
        ContactSource::InboundEmail => "un e-mail entrant",
        ContactSource::Other => "un autre canal",
    }
}

fn kind(k: InteractionKind) -> [&'static str; 3] {
    match k {
        InteractionKind::Email => ["e-mail", "un e-mail", "des e-mails"],
        InteractionKind::Call => ["appel", "un appel", "des appels"],
        InteractionKind::Meeting => ["réunion", "une réunion", "des réunions"],
        InteractionKind::VideoCall => ["visioconférence", "une visioconférence", "des visioconférences"],
        InteractionKind::Message => ["message", "un message", "des messages"],
        InteractionKind::Social => [
            "échange sur les réseaux",
            "un échange sur les réseaux",
            "des échanges sur les réseaux",
        ],
        InteractionKind::Note => ["note", "une note", "des notes"],
        InteractionKind::Other => ["interaction", "une interaction", "d’autres interactions"],
    }
}

fn template(key: Say) -> &'static str {
    use Say::*;
    match key {
        IntroTitleCompany => "{name}, {title} chez {company}, est {lifecycle}",
        IntroTitle => "{name}, {title}, est {lifecycle}",
        IntroCompany => "{name}, de {company}, est {lifecycle}",
        Intro => "{name} est {lifecycle}",
        CameThrough => " (arrivée par {source})",
        TouchpointOne => "{n} interaction",
        TouchpointMany => "{n} interactions",
        SinceLatest => "{touchpoints} depuis le {since} ; la dernière : {kind} le {date}.",
        NoTouchpointYet => "Aucune interaction notée pour l’instant.",
        OpenDealOne => "{n} affaire ouverte",
        OpenDealMany => "{n} affaires ouvertes",
        OpenDeals => "{deals} ({list}).",
        DealInStage => "{title} à l’étape {stage}",

        StyleUnknown => {
            "Pas encore connu : notez une première interaction avec {first} pour savoir comment cette personne aime échanger."
        }
        StyleMostly => "Surtout {kinds} ({n} sur {total})",
        StyleTheyReachOut => " ; {first} prend souvent contact en premier (reçues : {inbound}, envoyées : {outbound})",
        StyleYouReachOut => {
            " ; c’est le plus souvent vous qui prenez contact (envoyées : {outbound}, reçues : {inbound})"
        }
        PositiveOne => "{n} résultat positif",
        PositiveMany => "{n} résultats positifs",
        StyleOutcomes => " ; {positive}, {silent} sans réponse",

        InterestedIn => "Centres d’intérêt : {tags}",
        BasedIn => "Lieu : {location} — pensez au fuseau horaire en proposant un créneau",
        FromNotes => "D’après vos notes : {notes}",
        NothingRecorded => {
            "Rien de noté pour l’instant : ajoutez des étiquettes ou des notes après la prochaine conversation"
        }

        LastTime => "La dernière fois ({date}) : {what}",
        NotesFromThen => "Notes de cette fois-là : {notes}",
        DealStanding => "{title} est à l’étape {stage} pour {value} (probabilité {probability})",
        OpenTodo => "À faire : {title} (échéance le {date})",
        FirstConversation => "Ce serait votre première conversation avec {first}",

        DayOne => "{n} jour",
        DayMany => "{n} jours",
        FollowUpOverdue => "La relance a {days} de retard",
        NoReplyStreak => "Les {n} dernières interactions sont restées sans réponse",
        WentBadly => "La dernière conversation s’est mal passée",
        QuietFor => "Aucune interaction depuis {n} jours",
        ExpectedClose => "{title} devait se conclure le {date}",
        SatInStage => "{title} est à l’étape {stage} depuis {n} jours",

        GetInTouchToday => "Contactez {first} aujourd’hui",
        GetInTouchBy => "Contactez {first} d’ici le {date}",
        FollowUpProposal => "Relancez la proposition pour {title}",
        Qualify => "Qualifiez {title} : budget, calendrier, qui décide",
        AgreeNextStep => "Convenez de la prochaine étape pour faire avancer {title}",
        FindNeeds => "Découvrez ce dont {first} a besoin et ouvrez une affaire s’il y a lieu",
        TryAnotherChannel => "Essayez un autre canal que les derniers",
        CheckIn => "Prenez des nouvelles de {first} et notez comment cela s’est passé",

        GreetFormal => "Bonjour {first},",
        GreetConcise => "Bonjour {first},",
        GreetFriendly => "Bonjour {first},",
        GreetEnthusiastic => "Bonjour {first} !",
        SignOffFormal => "Bien cordialement,",
        SignOffConcise => "Cordialement,",
        SignOffFriendly => "Belle journée,",
        SignOffEnthusiastic => "Au plaisir d’échanger très vite,",
        WhatWeDiscussed => "ce dont nous avons parlé",
        PostScript => "P.-S. : {text}",
        FollowUpSubject => "Suite : {about}",
        FollowUpBody => {
            "Je reviens vers vous au sujet de {about}. Est-ce toujours une priorité{for_company} ? Je peux tout à fait vous aider pour la suite."
        }
        ForCompany => " pour {company}",
        IntroSubject => "Présentation{helping}",
        HelpingCompany => " : accompagner {company}",
        IntroBody => {
            "J’accompagne des équipes comme la vôtre sur ce type de projet, du premier atelier à la livraison. Un appel de 20 minutes la semaine prochaine vous serait-il utile ?"
        }
        MeetingSubject => "Un moment pour parler de {about} ?",
        MeetingBody => {
            "Pourrions-nous trouver 30 minutes cette semaine ou la suivante pour parler de {about} ? Dites-moi ce qui vous convient et je vous envoie une invitation."
        }
        ProposalSubject => "Proposition : {title}",
        ProposalSubjectPlain => "Ma proposition",
        ProposalBody => {
            "Comme promis, voici ma proposition pour {title}. Elle présente le périmètre, le calendrier et l’investissement. Je vous la présente volontiers."
        }
        ProposalBodyPlain => {
            "Comme promis, voici ma proposition. Elle présente le périmètre, le calendrier et l’investissement. Je vous la présente volontiers."
        }
        ThankYouSubject => "Merci, {first}",
        ThankYouBody => {
            "Merci pour le temps que vous m’avez accordé. C’était un plaisir de parler de {about} ; je vous envoie la suite très vite."
        }
        ThankYouBodyRecent => {
            "Merci pour le temps que vous m’avez accordé l’autre jour. C’était un plaisir de parler de {about} ; je vous envoie la suite très vite."
        }
        ReEngageSubject => "Cela fait un moment, {first}",
        ReEngageBody => {
            "Cela fait un moment que nous n’avons pas échangé{about_last}. Comment cela se passe-t-il{at_company} ? J’aimerais beaucoup savoir sur quoi vous travaillez."
        }
        AboutLast => " (au sujet de {topic})",
        AtCompany => " chez {company}",
        CheckInSubject => "Des nouvelles",
        CheckInBody => "Je prends simplement de vos nouvelles. Puis-je vous aider sur quelque chose ce mois-ci ?",
        OtherSubject => "Au sujet de {about}",
        OtherBody => "Je vous écris au sujet de {about}.",

        LabelStage => "Étape",
        LabelRecentContact => "Contact récent",
        LabelEngagement => "Engagement",
        LabelOutcomes => "Résultats",
        LabelReachesOut => "Prend l’initiative",
        LabelOpenDeal => "Affaire ouverte",
        LabelSource => "Origine",
        LabelConnection => "Force de la relation",
        LabelOverdue => "Relance en retard",
        LastTouchpointAgo => "Dernière interaction il y a {days}",
        LastTouchpointToday => "Dernière interaction aujourd’hui",
        NoTouchpointDetail => "Aucune interaction pour l’instant",
        TouchpointsIn90 => "{touchpoints} en 90 jours",
        OutcomesDetail => "positives : {positive}, sans réponse : {silent}, sur {judged}",
        ReachesOutDetail => "A pris contact en premier au moins une fois en 90 jours",
        OpenDealDetail => "{title} à l’étape {stage} ({probability})",
        CameThroughDetail => "Arrivée par {source}",
        StrengthDetail => "{n} sur 5",
        DaysLate => "{days} de retard",
        BandStrong => "une piste très prometteuse",
        BandPromising => "une piste prometteuse",
        BandLukewarm => "une piste tiède",
        BandCold => "une piste froide",
        ScoreIntro => "{name} obtient {score}/100 : {band}.",
        MostlyThanksTo => " Surtout grâce à : {list}.",
        HeldBackBy => " Ce qui freine : {list}.",

        AnalysisSummary => "{kind} ({date}) : {text}.",
        AnalysisEmpty => "{kind} le {date}, sans rien de noté.",

        ChatNoDeal => {
            "Il n’y a pas encore d’affaire avec {first}. S’il y a un besoin, ouvrez-en une depuis la fiche du contact."
        }
        ChatDealLine => "{title} — {status}, étape {stage}, {value}{expected}",
        ChatExpected => ", prévue le {date}",
        ChatDealsWith => "Affaires avec {first} :",
        ChatLastTouchpoint => "La dernière interaction : {kind} le {date}{subject}{body}.",
        ChatSubject => " : {subject}",
        ChatNothingLogged => "Rien n’est encore noté avec {first}.",
        ChatNextSteps => "Prochaines étapes avec {first} :",
        ChatNothingWorrying => "Rien d’inquiétant dans ce qui est noté sur {first}.",
        ChatThingsToWatch => "Points de vigilance :",
        ChatEmailWay => "e-mail ({email})",
        ChatPhoneWay => "téléphone ({phone})",
        ChatOr => " ou ",
        ChatReach => "Vous pouvez joindre {first} par {ways}.",
        ChatNoWays => "Aucun e-mail ni téléphone n’est enregistré pour {first}.",
        ChatSuggestedNext => " Prochaine étape suggérée : {step}.",
        ChatAskMe => {
            " Interrogez-moi sur les affaires, la dernière conversation, les prochaines étapes, les risques ou la façon de joindre ce contact."
        }

        ProposalPerMonth => "{title} (par mois)",
        ProposalTitle => "{title} — proposition",
        ProposalGreeting => "Bonjour {first},\n\nMerci de l’intérêt que vous portez à ce projet.",
        ProposalThanks => "Merci de l’intérêt que vous portez à ce projet.",
        ProposalIntroTopic => {
            " Suite à notre conversation au sujet de {topic}, cette proposition présente comment je réaliserais {title} : le périmètre, l’investissement et les conditions."
        }
        ProposalIntro => {
            " Cette proposition présente comment je réaliserais {title} : le périmètre, l’investissement et les conditions."
        }
        ProposalTerms => {
            "50 % à la signature, 50 % à la livraison. Paiement sous 30 jours à réception de facture. Cette proposition est valable 30 jours."
        }

        ParseAutomated => "Ressemble à un message automatique ou envoyé en masse",
        ParseAsksAboutWork => "Demande une prestation ({words}){amount}",
        ParseNamesAmount => " et mentionne un montant ({amount})",
        ParseNoSign => "Aucun signe d’une demande de prestation",
        ParseWeakSign => "Seulement un faible signe d’une demande de prestation ({words})",
        ParseNewProject => "Nouveau projet",
        ParseUnknownName => "Inconnu",
    }
}
