/// The Russian names pupils read for the platform's spheres and competencies (the dimension
/// catalogue's codes); an unknown code reads as itself.
public enum RussianTitles {
    /// The sphere's name (`it` → «Информационные технологии»).
    public static func sphere(_ code: String) -> String { spheres[code] ?? code }

    /// The competency's name (`programming` → «Программирование»).
    public static func competency(_ code: String) -> String { competencies[code] ?? code }

    static let spheres: [String: String] = [
        "it": "Информационные технологии", "engineering": "Инженерия и производство", "medicine": "Медицина и здоровье",
        "education": "Образование", "science": "Естественные науки", "agriculture": "Сельское хозяйство и пищевая промышленность",
        "construction": "Строительство и архитектура", "transport": "Транспорт и логистика", "finance": "Финансы и экономика",
        "law": "Право и государственная служба", "arts": "Искусство и дизайн", "media": "Медиа и коммуникации",
        "sport": "Спорт и туризм", "ecology": "Экология и природные ресурсы", "services": "Сфера услуг и торговля",
    ]

    static let competencies: [String: String] = [
        "programming": "Программирование", "data_analysis": "Анализ данных", "mathematics": "Математическое мышление",
        "physics": "Прикладная физика", "chemistry": "Лабораторная химия", "biology": "Биология", "drawing": "Черчение",
        "modelling_3d": "3D-моделирование", "electronics": "Электроника", "robotics": "Робототехника", "mechanics": "Механика",
        "welding": "Сварка", "machining": "Металлообработка", "first_aid": "Первая помощь", "patient_care": "Уход за пациентами",
        "teaching": "Преподавание", "public_speaking": "Публичные выступления", "writing": "Письмо и редактура",
        "foreign_languages": "Иностранные языки", "negotiation": "Переговоры", "sales": "Продажи", "accounting": "Бухгалтерский учёт",
        "financial_literacy": "Финансовая грамотность", "project_management": "Управление проектами",
        "entrepreneurship": "Предпринимательство", "legal_literacy": "Правовая грамотность", "graphic_design": "Графический дизайн",
        "music": "Музыка", "photo_video": "Фото и видео", "journalism": "Журналистика", "agronomy": "Агрономия",
        "animal_care": "Уход за животными", "cooking": "Кулинария", "driving": "Вождение и транспортные средства",
        "logistics_planning": "Планирование логистики", "surveying": "Геодезия", "architecture_design": "Архитектурное проектирование",
        "construction_trades": "Строительные профессии", "environmental_monitoring": "Экологический мониторинг",
        "geography": "География и картография", "history": "История и наследие", "psychology": "Психология",
        "social_work": "Социальная работа", "coaching": "Спортивная тренировка", "hospitality": "Гостеприимство",
        "customer_service": "Обслуживание клиентов", "cybersecurity": "Кибербезопасность", "networking": "Компьютерные сети",
        "ai_literacy": "Грамотность в области ИИ", "research": "Методы исследования", "experiment_design": "Планирование эксперимента",
        "quality_control": "Контроль качества", "safety": "Охрана труда", "volunteering": "Волонтёрство",
    ]
}
