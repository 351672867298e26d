import Accounts
import Foundation
import Gateway
import Hummingbird
import Pages
import Trials
import TrialsHTTP
import VaultDoor

/// The pupil's events (`GET /app/pupil/events`): what `GET /v1/pupil/events` answers, through
/// ``TrialsDesk/pupilEvents(_:door:now:)`` (the vault releases the pupil's own trials token under
/// the policy, audited; each event shown as the policy allows).
extension PupilPages {
    static func addEvents(to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, trials: TrialsDesk, door: VaultDoorClient) {
        pages.get("events") { _, context -> Response in
            let pupil = try context.requirePupil()
            return await guarded(kit, pupil) {
                let now = Date()
                let rows = try await trials.pupilEvents(pupil, door: door, now: now).map { enrolment in
                    PupilEventsPage.Row(
                        title: enrolment.event.details.title, kind: enrolment.event.details.kind.rawValue,
                        format: enrolment.event.details.format.rawValue, startsAt: enrolment.event.details.startsAt,
                        endsAt: enrolment.event.details.endsAt, place: enrolment.placeName, address: enrolment.placeAddress,
                        seated: enrolment.state == .seated, waitingPosition: enrolment.waitingPosition, now: now)
                }
                return try kit.pupilPage(
                    .pupilEvents, pupil: pupil,
                    values: ["upcoming": rows.filter { !$0.past }, "past": rows.filter(\.past), "hasUpcoming": rows.contains { !$0.past },
                             "hasPast": rows.contains(where: \.past), "hasEvents": !rows.isEmpty])
            }
        }
    }
}
