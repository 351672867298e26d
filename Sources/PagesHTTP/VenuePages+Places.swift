import Accounts
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import Pages
import Trials
import TrialsHTTP

extension VenuePages {
    /// `GET /app/venue/places` and `POST /app/venue/places`: `TrialsDesk.places` and
    /// `TrialsDesk.addPlace`, what `GET|POST /v1/trials/places` run.
    static func addPlaces(to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, _ trials: TrialsRoutes.Dependencies) {
        @Sendable func page(_ staff: StaffSession, _ caller: TrialsCaller, form: CheckedForm, status: HTTPResponse.Status = .ok, added: Bool = false)
            async throws -> Response
        {
            let places: [Place]
            do {
                places = try await trials.desk.places(caller)
            } catch {
                return try kit.refusal(error, staff: staff)
            }
            return try kit.page(
                .venuePlaces, status: status, staff: staff, values: ["places": places, "hasPlaces": !places.isEmpty, "form": form, "added": added])
        }
        pages.get("venue/places") { request, context -> Response in
            try await kit.trialsPage(context, role: .venue, whose: whose, trials) { staff, caller in
                return try await page(staff, caller, form: CheckedForm(PlaceForm.sections), added: request.uri.queryParameters["done"] == "added")
            }
        }
        pages.post("venue/places") { request, context -> Response in
            try await kit.trialsPage(context, role: .venue, whose: whose, trials) { staff, caller in
                let values = try await CSRFMiddleware.form(request)
                switch PlaceForm.check(values) {
                case .invalid(let form):
                    return try await page(staff, caller, form: form, status: .unprocessableContent)
                case .valid(let place):
                    do {
                        _ = try await trials.desk.addPlace(caller, name: place.name, address: place.address, capacity: place.capacity)
                    } catch {
                        return try kit.refusal(error, staff: staff, back: "/app/venue/places")
                    }
                    return PageKit.redirect("/app/venue/places?done=added")
                }
            }
        }
    }
}
