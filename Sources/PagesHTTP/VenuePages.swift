import Accounts
import AccountsHTTP
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import Pages
import Trials
import TrialsHTTP

/// The venue's pages behind the page session, one file each: its places
/// (`VenuePages+Places.swift`), its mentors and its events (creating one for the coordinator's
/// approval, editing a draft or returned one and naming its mentor later
/// (`VenuePages+EventEdit.swift`), submitting it, seeing its status and the coordinator's
/// reason). Each calls what the
/// matching `/v1/trials/` route calls (``TrialsDesk`` and the ``TrialsRoutes`` calls that also tell
/// the vault who runs an event), so the policy decides and the audit records as for the API.
enum VenuePages {
    static let whose = "сотрудников площадки"

    /// Adds the venue's pages.
    static func add(to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, trials: TrialsRoutes.Dependencies, staff: StaffRoutes.Dependencies) {
        addPlaces(to: pages, kit, trials)
        addMentors(to: pages, kit, trials, staff: staff)
        addEvents(to: pages, kit, trials, staff: staff)
        addEventEditing(to: pages, kit, trials, staff: staff)
    }
}
