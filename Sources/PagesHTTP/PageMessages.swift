import Gateway

/// The Russian sentence a page shows for a refusal, by its stable code (the same codes the API
/// answers with); by status for any other.
enum PageMessages {
    static func message(for problem: Problem) -> String {
        if let text = byCode[problem.code] { return text }
        switch problem.status.code {
        case 401: return "Нужно войти в систему."
        case 403: return "Политика доступа не разрешает это действие."
        case 404: return "Не найдено."
        case 409: return "Действие противоречит уже записанным данным."
        case 413: return "Отправлено слишком много данных."
        case 422: return "Значения не приняты. Проверьте форму."
        case 503: return "Сервис временно недоступен. Попробуйте ещё раз через минуту."
        default: return "Что-то пошло не так. Попробуйте ещё раз; если ошибка повторится, сообщите администратору."
        }
    }

    /// Signing out failed on the server (the audit log could not record it): the browser has
    /// forgotten the session, the server ends it at its idle timeout.
    static let signOutNotRecorded =
        "Выход не удалось записать. Браузер забыл сеанс, но на сервере он закроется только по истечении времени бездействия. Сообщите администратору."

    /// The sentences of the codes a page can meet.
    static let byCode: [String: String] = [
        "csrf-failed": "Форма устарела или отправлена не с этой страницы. Обновите страницу и отправьте форму снова.",
        "no-client-certificate": "Вход возможен только с рабочего места: браузер не предъявил сертификат рабочего места.",
        "pupil-not-found": "Такого ученика в вашей школе нет.",
        "forbidden": "Политика доступа не разрешает это действие.",
        "duplicate-pupil": "Этот ученик уже зарегистрирован в вашей школе.",
        "invalid-value": "Хранилище не приняло одно из значений. Проверьте форму.",
        "missing-value": "Не заполнено обязательное значение.",
        "unknown-field": "Форма содержит неизвестное поле.",
        "invalid-consent":
            "Данные согласия неполны или противоречат правилам: для ученика от 14 до 17 лет нужна и его подпись.",
        "consent-missing": "Нет действующего согласия на эту цель.",
        "consent-not-found": "У этого ученика нет такого согласия.",
        "navigator-not-found": "В вашей школе нет такой учётной записи навигатора.",
        "assignment-not-found": "Этот навигатор не назначен ученику.",
        "import-too-large": "Файл больше 4 МБ: разделите список на несколько файлов.",
        "document-rejected": "Файл не принят: нужен PDF, JPEG или PNG не больше 8 МБ.",
        "consent-version-mismatch": "Текст согласия обновился. Обновите страницу и подтвердите согласие снова.",
        "sealed": "Хранилище данных запечатано. Попробуйте позже.",
        "vault-unavailable": "Хранилище данных недоступно. Попробуйте позже.",
        "audit-unavailable": "Журнал аудита сейчас не может записать действие. Попробуйте позже.",
        "login-busy": "Сейчас проверяется слишком много входов. Попробуйте через несколько секунд.",
        "session-required": "Сеанс завершён. Войдите снова.",
        "event-not-found": "Такого мероприятия среди ваших нет (или оно сейчас вам недоступно).",
        "self-approval": "Площадка не согласует свои мероприятия: это делает региональный координатор.",
        "wrong-status": "Статус мероприятия не допускает это действие: возможно, его уже согласовали или вернули.",
        "place-not-found": "У площадки нет такого места проведения.",
        "mentor-not-found": "Эта учётная запись не наставник вашей площадки.",
        "invalid-event": "Мероприятие не принято: проверьте значения (число мест не больше вместимости места).",
        "not-enrolled": "Этот ученик не записан на мероприятие.",
        "invalid-organisation": "Значения организации не приняты.",
    ]
}
