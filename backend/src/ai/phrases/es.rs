//! Spanish (addressing the user as «tú», as the web app does).

use super::{Book, Say};
use crate::contacts::dto::{ContactSource, Lifecycle};
use crate::interactions::dto::InteractionKind;

pub const BOOK: Book = Book {
    template,
    lifecycle,
    source,
    kind,
    deal_statuses: ["abierta", "ganada", "perdida"],
    months: MONTHS,
    separators: ('.', ','),
};

const MONTHS: [&str; 12] = [
    "ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic",
];

fn lifecycle(l: Lifecycle) -> &'static str {
    match l {
        Lifecycle::Lead => "un lead",
        Lifecycle::Prospect => "un prospecto",
        Lifecycle::Client => "un cliente",
        Lifecycle::Inactive => "un contacto inactivo",
    }
}

fn source(s: ContactSource) -> &'static str {
    match s {
        ContactSource::Referral => "una recomendación",
        ContactSource::Website => "tu sitio web",
        ContactSource::Linkedin => "LinkedIn",
        ContactSource::Event => "un evento",
        ContactSource::ColdOutreach => "prospección en frío",
        ContactSource::SocialMedia => "las redes sociales",
        ContactSource::Partner => "un socio",
        ContactSource::Advertising => "publicidad",
        ContactSource::InboundEmail => "un correo entrante",
        ContactSource::Other => "otro canal",
    }
}

fn kind(k: InteractionKind) -> [&'static str; 3] {
    match k {
        InteractionKind::Email => ["correo", "un correo", "correos"],
        InteractionKind::Call => ["llamada", "una llamada", "llamadas"],
        InteractionKind::Meeting => ["reunión", "una reunión", "reuniones"],
        InteractionKind::VideoCall => ["videollamada", "una videollamada", "videollamadas"],
        InteractionKind::Message => ["mensaje", "un mensaje", "mensajes"],
        InteractionKind::Social => ["contacto en redes", "un contacto en redes", "contactos en redes"],
        InteractionKind::Note => ["nota", "una nota", "notas"],
        InteractionKind::Other => ["interacción", "una interacción", "otras interacciones"],
    }
}

fn template(key: Say) -> &'static str {
    use Say::*;
    match key {
        IntroTitleCompany => "{name}, {title} en {company}, es {lifecycle}",
        IntroTitle => "{name}, {title}, es {lifecycle}",
        IntroCompany => "{name}, de {company}, es {lifecycle}",
        Intro => "{name} es {lifecycle}",
        CameThrough => " que llegó por {source}",
        TouchpointOne => "{n} interacción",
        TouchpointMany => "{n} interacciones",
        SinceLatest => "{touchpoints} desde el {since}; la última, {kind} el {date}.",
        NoTouchpointYet => "Aún no hay ninguna interacción registrada.",
        OpenDealOne => "{n} oportunidad abierta",
        OpenDealMany => "{n} oportunidades abiertas",
        OpenDeals => "{deals} ({list}).",
        DealInStage => "{title} en {stage}",

        StyleUnknown => {
            "Aún no se sabe: registra una primera interacción con {first} para descubrir cómo prefiere comunicarse."
        }
        StyleMostly => "Sobre todo {kinds} ({n} de {total})",
        StyleTheyReachOut => "; {first} suele dar el primer paso (recibidas: {inbound}, enviadas: {outbound})",
        StyleYouReachOut => "; sueles ser tú quien da el primer paso (enviadas: {outbound}, recibidas: {inbound})",
        PositiveOne => "{n} resultado positivo",
        PositiveMany => "{n} resultados positivos",
        StyleOutcomes => "; {positive}, {silent} sin respuesta",

        InterestedIn => "Le interesa: {tags}",
        BasedIn => "Está en {location}: ten en cuenta la zona horaria al proponer una hora",
        FromNotes => "De tus notas: {notes}",
        NothingRecorded => "Aún no hay nada anotado: añade etiquetas o notas después de la próxima conversación",

        LastTime => "La última vez ({date}): {what}",
        NotesFromThen => "Notas de entonces: {notes}",
        DealStanding => "{title} está en {stage} por {value} (probabilidad del {probability})",
        OpenTodo => "Tarea pendiente: {title} (vence el {date})",
        FirstConversation => "Sería tu primera conversación con {first}",

        DayOne => "{n} día",
        DayMany => "{n} días",
        FollowUpOverdue => "El seguimiento lleva {days} de retraso",
        NoReplyStreak => "Las últimas {n} interacciones no tuvieron respuesta",
        WentBadly => "La última conversación fue mal",
        QuietFor => "Ninguna interacción desde hace {n} días",
        ExpectedClose => "{title} debía cerrarse el {date}",
        SatInStage => "{title} lleva {n} días en {stage}",

        GetInTouchToday => "Contacta con {first} hoy",
        GetInTouchBy => "Contacta con {first} antes del {date}",
        FollowUpProposal => "Haz seguimiento de la propuesta para {title}",
        Qualify => "Califica {title}: presupuesto, plazos, quién decide",
        AgreeNextStep => "Acuerda el siguiente paso para que {title} avance",
        FindNeeds => "Averigua qué necesita {first} y abre una oportunidad si la hay",
        TryAnotherChannel => "Prueba un canal distinto de los últimos",
        CheckIn => "Ponte en contacto con {first} y registra cómo fue",

        GreetFormal => "Buenos días, {first}:",
        GreetConcise => "Hola, {first}:",
        GreetFriendly => "Hola, {first}:",
        GreetEnthusiastic => "¡Hola, {first}!",
        SignOffFormal => "Un cordial saludo,",
        SignOffConcise => "Saludos,",
        SignOffFriendly => "Un abrazo,",
        SignOffEnthusiastic => "¡Hasta pronto!",
        WhatWeDiscussed => "lo que hablamos",
        PostScript => "P. D.: {text}",
        FollowUpSubject => "Seguimiento: {about}",
        FollowUpBody => {
            "Quería retomar {about}. ¿Sigue siendo una prioridad{for_company}? Me encantaría ayudar con el siguiente paso."
        }
        ForCompany => " para {company}",
        IntroSubject => "Presentación{helping}",
        HelpingCompany => ": cómo puedo ayudar a {company}",
        IntroBody => {
            "Ayudo a equipos como el tuyo con proyectos de este tipo, desde el primer taller hasta la entrega. ¿Te vendría bien una llamada de 20 minutos la semana que viene?"
        }
        MeetingSubject => "¿Hablamos de {about}?",
        MeetingBody => {
            "¿Podemos buscar 30 minutos esta semana o la próxima para hablar de {about}? Dime qué te viene bien y te envío una invitación."
        }
        ProposalSubject => "Propuesta: {title}",
        ProposalSubjectPlain => "Mi propuesta",
        ProposalBody => {
            "Como te prometí, aquí tienes mi propuesta para {title}. Recoge el alcance, los plazos y la inversión. Te la explico con gusto."
        }
        ProposalBodyPlain => {
            "Como te prometí, aquí tienes mi propuesta. Recoge el alcance, los plazos y la inversión. Te la explico con gusto."
        }
        ThankYouSubject => "Gracias, {first}",
        ThankYouBody => "Gracias por tu tiempo. Fue un placer hablar de {about}; te envío los próximos pasos en breve.",
        ThankYouBodyRecent => {
            "Gracias por tu tiempo el otro día. Fue un placer hablar de {about}; te envío los próximos pasos en breve."
        }
        ReEngageSubject => "Cuánto tiempo, {first}",
        ReEngageBody => {
            "Hace tiempo que no hablamos{about_last}. ¿Qué tal va todo{at_company}? Me encantaría saber en qué estás trabajando."
        }
        AboutLast => " (sobre {topic})",
        AtCompany => " en {company}",
        CheckInSubject => "¿Qué tal va todo?",
        CheckInBody => "Solo quería saber qué tal va todo. ¿Hay algo en lo que pueda ayudarte este mes?",
        OtherSubject => "Sobre {about}",
        OtherBody => "Te escribo sobre {about}.",

        LabelStage => "Etapa",
        LabelRecentContact => "Contacto reciente",
        LabelEngagement => "Implicación",
        LabelOutcomes => "Resultados",
        LabelReachesOut => "Toma la iniciativa",
        LabelOpenDeal => "Oportunidad abierta",
        LabelSource => "Origen",
        LabelConnection => "Fuerza de la relación",
        LabelOverdue => "Seguimiento atrasado",
        LastTouchpointAgo => "Última interacción hace {days}",
        LastTouchpointToday => "Última interacción hoy",
        NoTouchpointDetail => "Ninguna interacción todavía",
        TouchpointsIn90 => "{touchpoints} en 90 días",
        OutcomesDetail => "positivas: {positive}, sin respuesta: {silent}, de {judged}",
        ReachesOutDetail => "Tomó la iniciativa al menos una vez en 90 días",
        OpenDealDetail => "{title} en {stage} ({probability})",
        CameThroughDetail => "Llegó por {source}",
        StrengthDetail => "{n} de 5",
        DaysLate => "{days} de retraso",
        BandStrong => "un lead muy prometedor",
        BandPromising => "un lead prometedor",
        BandLukewarm => "un lead tibio",
        BandCold => "un lead frío",
        ScoreIntro => "{name} tiene {score}/100: {band}.",
        MostlyThanksTo => " Sobre todo gracias a: {list}.",
        HeldBackBy => " Lo frena: {list}.",

        AnalysisSummary => "{kind} ({date}): {text}.",
        AnalysisEmpty => "{kind} el {date}, sin nada anotado.",

        ChatNoDeal => {
            "Aún no hay ninguna oportunidad con {first}. Si surge una necesidad, abre una desde la ficha del contacto."
        }
        ChatDealLine => "{title} — {status}, en {stage}, {value}{expected}",
        ChatExpected => ", prevista para el {date}",
        ChatDealsWith => "Oportunidades con {first}:",
        ChatLastTouchpoint => "La última interacción fue {kind} el {date}{subject}{body}.",
        ChatSubject => ": {subject}",
        ChatNothingLogged => "Aún no hay nada registrado con {first}.",
        ChatNextSteps => "Próximos pasos con {first}:",
        ChatNothingWorrying => "Nada preocupante en lo registrado sobre {first}.",
        ChatThingsToWatch => "A vigilar:",
        ChatEmailWay => "correo ({email})",
        ChatPhoneWay => "teléfono ({phone})",
        ChatOr => " o ",
        ChatReach => "Puedes contactar con {first} por {ways}.",
        ChatNoWays => "No hay correo ni teléfono de {first}.",
        ChatSuggestedNext => " Siguiente paso sugerido: {step}.",
        ChatAskMe => {
            " Pregúntame por las oportunidades, la última conversación, los próximos pasos, los riesgos o cómo contactar."
        }

        ProposalPerMonth => "{title} (al mes)",
        ProposalTitle => "{title} — propuesta",
        ProposalGreeting => "Buenos días, {first}:\n\nGracias por tu interés.",
        ProposalThanks => "Gracias por tu interés.",
        ProposalIntroTopic => {
            " Tras nuestra conversación sobre {topic}, esta propuesta explica cómo llevaría a cabo {title}: el alcance, la inversión y las condiciones."
        }
        ProposalIntro => {
            " Esta propuesta explica cómo llevaría a cabo {title}: el alcance, la inversión y las condiciones."
        }
        ProposalTerms => {
            "50 % a la firma, 50 % a la entrega. Pago a 30 días desde la factura. Esta propuesta es válida durante 30 días."
        }

        ParseAutomated => "Parece un mensaje automático o masivo",
        ParseAsksAboutWork => "Pregunta por un trabajo ({words}){amount}",
        ParseNamesAmount => " y menciona un importe ({amount})",
        ParseNoSign => "Ninguna señal de un encargo",
        ParseWeakSign => "Solo una señal débil de un encargo ({words})",
        ParseNewProject => "Nuevo proyecto",
        ParseUnknownName => "Desconocido",
    }
}
