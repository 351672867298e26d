/// Every page template the pages render, one case per file `Templates/<rawValue>.mustache`.
///
/// The page-safety test renders each of them; a page added without a case here is not served.
public enum PageTemplate: String, Sendable, Hashable, CaseIterable {
    /// Staff sign-in at a workstation (login and password; the certificate is the other factor).
    case signIn = "sign-in"
    /// The staff member's consent to the processing of their own personal data.
    case consent
    /// The signed-in staff member's home page.
    case home
    /// The school registers a pupil: pupil, guardian and the signed paper consent.
    case pupilNew = "pupil-new"
    /// The registration's receipt: the pupil's token and the consent's reference, no personal data.
    case pupilRegistered = "pupil-registered"
    /// A pupil's consents (by token) with their scans and the form to attach a missing one; the
    /// pupil's navigators, assigning and ending.
    case pupilConsents = "pupil-consents"
    /// A pupil's new activation code, shown once on the answer to the school's post.
    case pupilActivationCode = "pupil-activation-code"
    /// The school imports its pupils from a CSV file; the refused rows as a table.
    case pupilImport = "pupil-import"
    /// The school's pupils without a consent in force for a purpose (tokens only).
    case pupilsLackingConsent = "pupils-lacking-consent"
    /// The school's KPI: twelve months of five figures.
    case kpi
    /// A refusal or failure, with its status and a sentence in Russian.
    case error
    /// The compliance officer's audit search: the filters and the records found.
    case auditSearch = "audit-search"
    /// The per-pupil access report (by token), printable.
    case auditReport = "audit-report"
    /// The audit log's newest checkpoint and completeness check.
    case auditStatus = "audit-status"
    /// The open subject-access requests of every school, the overdue ones marked.
    case accessRequests = "access-requests"
    /// The destructions of personal data the audit log records (`subject.erased`), newest first.
    case erasures = "audit-erasures"
    /// The vault's pending erasure deadlines, the overdue ones marked.
    case erasureDeadlines = "erasure-deadlines"
    /// The vault's destruction register: method and keep-until date.
    case erasureRegister = "erasure-register"
    /// The pupil's sign-in on the pupils' listener.
    case pupilSignIn = "pupil-sign-in"
    /// The pupil activates their account with the school's code, choosing a login and a password.
    case pupilActivate = "pupil-activate"
    /// The account is active: a link to signing in.
    case pupilActivated = "pupil-activated"
    /// The signed-in pupil's home page.
    case pupilHome = "pupil-home"
    /// The pupil's assigned tests and results.
    case pupilTests = "pupil-tests"
    /// One question of a test being taken, its answer saved when given.
    case pupilQuestion = "pupil-question"
    /// The pupil's published recommendations.
    case pupilRecommendations = "pupil-recommendations"
    /// Who has accessed the pupil's data, from the audit log, with the proofs to download.
    case pupilAccesses = "pupil-accesses"
    /// The events the pupil is enrolled in (seated or waiting), upcoming and past.
    case pupilEvents = "pupil-events"
    /// The coordinator's schools and venues of the region.
    case regionOrganisations = "region-organisations"
    /// The coordinator registers a school or venue of the region.
    case regionOrganisationNew = "region-organisation-new"
    /// The coordinator creates a school's or venue's first staff account.
    case regionStaffNew = "region-staff-new"
    /// The account created: its login and activation code, shown this once.
    case regionStaffCreated = "region-staff-created"
    /// The coordinator's submitted events, to approve or return with a reason.
    case regionEvents = "region-events"
    /// The region's KPI as SVG charts with a table of the same figures.
    case regionKPI = "region-kpi"
    /// The venue's places and the form to register one.
    case venuePlaces = "venue-places"
    /// The venue's registered mentors and the form to register one of its mentor accounts.
    case venueMentors = "venue-mentors"
    /// The venue's events with their status; submitting a draft.
    case venueEvents = "venue-events"
    /// The venue's form for a new event.
    case venueEventNew = "venue-event-new"
    /// The venue edits a draft or returned event (the new event's form, filled in).
    case venueEventEdit = "venue-event-edit"
    /// The venue names or changes the mentor of an event.
    case venueEventMentor = "venue-event-mentor"
    /// The events the mentor runs.
    case mentorEvents = "mentor-events"
    /// The attendance list of an event the mentor runs, with a mark form per pupil (phone-sized).
    case mentorAttendance = "mentor-attendance"
    /// The navigator's list of the region's approved events open for enrolment.
    case navigatorEvents = "navigator-events"
    /// One event for the navigator: its seats, the navigator's enrolments, enrolling and cancelling a pupil.
    case navigatorEvent = "navigator-event"
    /// The navigator's pupils with their recommendation drafts.
    case navigatorRecommendations = "navigator-recommendations"
    /// One pupil's recommendations for the navigator to edit and publish.
    case navigatorPupilRecommendations = "navigator-pupil-recommendations"
    /// The navigator's pupils and the published tests, assigning a test to a pupil.
    case navigatorTests = "navigator-tests"
    /// The methodologist's tests: the upload form with the validator's refusals, the versions, publishing.
    case tests
    /// The security administrator's certificate inventory (all, or those expiring within 30 days).
    case certificates
    /// Revoking one certificate with a reason, and its outcome.
    case certificateRevoke = "certificate-revoke"

    /// The page's title (`<title>` and `<h1>`), in Russian.
    public var title: String {
        switch self {
        case .signIn: "Вход для сотрудников"
        case .consent: "Согласие на обработку персональных данных"
        case .home: "Главная"
        case .pupilNew: "Регистрация ученика"
        case .pupilRegistered: "Ученик зарегистрирован"
        case .pupilsLackingConsent: "Ученики без согласия"
        case .pupilImport: "Загрузка списка учеников"
        case .pupilConsents: "Согласия и навигаторы ученика"
        case .pupilActivationCode: "Код активации ученика"
        case .kpi: "Показатели школы"
        case .error: "Ошибка"
        case .auditSearch: "Поиск в журнале аудита"
        case .auditReport: "Отчёт о доступе к данным ученика"
        case .auditStatus: "Проверка журнала аудита"
        case .accessRequests: "Запросы субъектов на доступ"
        case .erasures: "Уничтожение персональных данных"
        case .erasureDeadlines: "Сроки уничтожения данных"
        case .erasureRegister: "Реестр уничтожения данных"
        case .pupilSignIn: "Вход для учеников"
        case .pupilActivate: "Активация учётной записи"
        case .pupilActivated: "Учётная запись активирована"
        case .pupilHome: "Личный кабинет"
        case .pupilTests: "Мои тесты"
        case .pupilQuestion: "Тест"
        case .pupilRecommendations: "Мои рекомендации"
        case .pupilAccesses: "Кто обращался к моим данным"
        case .pupilEvents: "Мои мероприятия"
        case .regionOrganisations: "Школы и площадки региона"
        case .regionOrganisationNew: "Регистрация школы или площадки"
        case .regionStaffNew: "Учётная запись организации"
        case .regionStaffCreated: "Учётная запись создана"
        case .regionEvents: "Мероприятия на согласовании"
        case .regionKPI: "Показатели региона"
        case .venuePlaces: "Места проведения"
        case .venueMentors: "Наставники площадки"
        case .venueEvents: "Мероприятия площадки"
        case .venueEventNew: "Новое мероприятие"
        case .venueEventEdit: "Изменение мероприятия"
        case .venueEventMentor: "Наставник мероприятия"
        case .mentorEvents: "Мои мероприятия"
        case .mentorAttendance: "Посещаемость и оценки"
        case .navigatorEvents: "Запись на мероприятия"
        case .navigatorEvent: "Запись учеников на мероприятие"
        case .navigatorRecommendations: "Рекомендации учеников"
        case .navigatorPupilRecommendations: "Рекомендации ученика"
        case .navigatorTests: "Назначение тестов ученикам"
        case .tests: "Тесты: загрузка и публикация"
        case .certificates: "Реестр сертификатов"
        case .certificateRevoke: "Отзыв сертификата"
        }
    }
}
