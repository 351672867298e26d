import Audit
import Foundation
import Policy
import PostgreSQL
public import Tokens

extension Vault {
    /// A pupil's pairwise token in `module`, for `purpose`: the vault translating between
    /// namespaces under policy.
    ///
    /// The purpose must be one the module serves. When `reference` is another module's pairwise
    /// token, the policy must first allow `translate` on the `pairwise_token` with its source
    /// namespace (`namespace`) and `target`: by default a module translates only its own tokens
    /// and nobody else translates a module's token (`guard.services-translate-own-tokens-only`),
    /// so holding another module's tokens does not let a module join tables. Then the policy must
    /// allow `read` on the pupil for the purpose (with no fields: the token is not personal data,
    /// but it links the pupil into the module's processing), and an active consent must cover the
    /// purpose. The translation, granted or refused, is audited (`token.resolved`).
    ///
    /// - Throws: ``VaultError/Code/purposeNotServed``, ``VaultError/Code/policyDenied``, the consent
    ///   codes, ``VaultError/Code/unknownSubject``, ``VaultError/Code/subjectErased``,
    ///   ``VaultError/Code/sealed``, ``VaultError/Code/auditFailed``, ``VaultError/Code/auditUnavailable``.
    public func moduleToken(
        for reference: SubjectReference, in module: Module, purpose: String, by requester: Requester
    ) async throws(VaultError) -> ModuleToken {
        _ = try keys()
        try checkRequest(requester: requester, purpose: purpose)
        let now = clock.now
        let policySet = policies.current
        let outcome: Result<ModuleToken, VaultError> = try await withTransaction { connection in
            let guarded = self.accessGuard(requester, policySet: policySet, at: now, on: connection)
            let subject: SubjectRecord?
            var source: Module?
            switch reference {
            case .subject(let token): subject = try await SubjectQueries.byTokens([token], on: connection).first
            case .module(let token):
                subject = try await SubjectQueries.byModuleTokens([token], on: connection).first?.1
                source = token.module
            }
            let refusal: VaultError?
            var target: ModuleToken?
            var consent: ConsentToken?
            // A service presents its own namespace's tokens only (modules attack review #10): enforced
            // here, not left to how the policy is written.
            var foreign = false
            if requester.principal.role == "service", let source, requester.principal.attributes["service"] != .string(source.rawValue) {
                foreign = true
            }
            if let subject {
                if foreign {
                    refusal = VaultError(.policyDenied, reason: "policy: forbidden (a token of another module's namespace)")
                } else if subject.isErased {
                    refusal = VaultError(.subjectErased, reason: "the subject's data was erased")
                } else if subject.kind != .pupil {
                    refusal = VaultError(.invalidRequest, reason: "only pupils have pairwise tokens")
                } else if !module.releasePurposes.contains(purpose) {
                    refusal = VaultError(.purposeNotServed, reason: "the \(module) module does not serve this purpose")
                } else if let source, source != module,
                          let denied = await Self.translationRefusal(subject, from: source, to: module, purpose: purpose, guard: guarded)
                {
                    refusal = denied
                } else {
                    if let denied = await guarded.refusal("read", subject.policyResource, purpose: purpose) {
                        refusal = denied
                    } else {
                        let active = try await self.activeConsents(for: [subject.id], purpose: purpose, at: now, on: connection)[subject.id] ?? []
                        switch try await guarded.consent(for: subject, fields: [], purpose: purpose, active: active, coverage: .purpose) {
                        case .success(let relied):
                            consent = relied.token
                            let rows = try await connection.query(
                                "SELECT token FROM vault.module_tokens WHERE subject_id = \(subject.id) AND module = \(module.rawValue)")
                            target = try rows.first.map { try ModuleToken(parsing: try $0.decode(String.self, at: 0)) }
                            refusal = target == nil ? VaultError(.storage, reason: "the pupil has no token in this module") : nil
                        case .failure(let denied):
                            refusal = denied
                        }
                    }
                }
            } else {
                refusal = VaultError(.unknownSubject, reason: "no subject has this token")
            }
            try await guarded.audit(
                TokenResolved(
                    actor: requester.actor, subject: subject?.token.rawValue ?? reference.text, decision: refusal == nil ? .permit : .deny,
                    purpose: purpose, fieldsReturned: refusal == nil ? ["\(module.rawValue)_token"] : [], consent: consent?.rawValue))
            if let refusal { return .failure(refusal) }
            return .success(target!)
        }
        return try outcome.get()
    }

    /// The policy's `translate` decision on a pupil's token of `source`'s namespace: nil when it
    /// allows turning it into `target`'s, the refusal otherwise.
    private static func translationRefusal(
        _ pupil: SubjectRecord, from source: Module, to target: Module, purpose: String, guard guarded: AccessGuard
    ) async -> VaultError? {
        let decision = await guarded.decide("translate", pairwiseResource(pupil, from: source, to: target), purpose: purpose)
        guard !decision.isAllowed else { return nil }
        return VaultError(.policyDenied, reason: "policy: \(decision.reason?.rawValue ?? "deny") (a token of another module's namespace)")
    }

    /// The resource of a translation decision: the pupil's pairwise token in `source`'s namespace,
    /// to be turned into `target`'s (`pairwise_token` in the policy schema).
    static func pairwiseResource(_ pupil: SubjectRecord, from source: Module, to target: Module) -> Resource {
        var attributes: [String: Value] = [
            "pupil": .entity(EntityRef("pupil", pupil.token.rawValue)),
            "namespace": .string(source.rawValue), "target": .string(target.rawValue),
        ]
        if let organisation = pupil.organisation { attributes["school"] = .entity(EntityRef("school", organisation)) }
        if let region = pupil.region { attributes["region"] = .entity(EntityRef("region", region)) }
        return Resource(type: "pairwise_token", id: pupil.token.rawValue, attributes: attributes)
    }

    /// Finds pupils by SNILS through its blind index (no plaintext search): the tokens of those
    /// the policy lets the requester read the SNILS of, for `purpose`, and whose active consent for
    /// `purpose` covers the SNILS.
    ///
    /// Locating a pupil by SNILS links the value to the pupil, so it is audited per pupil found,
    /// like a read of the SNILS: one `pii.read` record naming the pupil's token (permit, with the
    /// consent relied on; or deny, with the refusal's code), so the pupil's own access report shows
    /// who located them and why. The search itself is audited as `pii.searched` with a keyed hash
    /// of the value searched for (never the value) and the number of pupils released. All the
    /// records are appended in the search's transaction before any token is returned; if they
    /// cannot be written, nothing is returned.
    ///
    /// For `parent_request` the search answers a subject-access request: only the pupil `request`
    /// was registered for (open) can be found, as in ``read(_:fields:purpose:request:by:)``.
    ///
    /// - Throws: ``VaultError/Code/invalidValue`` (not a SNILS), ``VaultError/Code/sealed``,
    ///   ``VaultError/Code/invalidRequest``, ``VaultError/Code/auditFailed``, ``VaultError/Code/auditUnavailable``.
    public func findPupils(
        snils: PersonalValue, purpose: String, request: AccessRequestToken? = nil, by requester: Requester
    ) async throws(VaultError) -> [SubjectToken] {
        let ring = try keys()
        let normalised = BlindIndex.normaliseSnils(try FieldRules.normalise(snils, for: .snils))
        return try await findPupils(
            .snils, normalised: normalised, fields: [.snils], purpose: purpose, request: request, requester: requester, ring: ring)
    }

    /// Finds pupils by normalised surname, first name and birth date through their blind index, as
    /// ``findPupils(snils:purpose:request:by:)`` does by SNILS: the tokens of those the policy lets
    /// the requester read the three fields of for `purpose`, whose active consent covers them. Each
    /// pupil found is audited as a read of the three fields (`pii.read`, permit or deny), the search
    /// as `pii.searched` (field `name_birth_date`, a keyed hash of the normalised text).
    ///
    /// - Throws: ``VaultError/Code/invalidValue`` (a malformed birth date), ``VaultError/Code/missingValue``,
    ///   ``VaultError/Code/sealed``, ``VaultError/Code/invalidRequest``, ``VaultError/Code/auditFailed``,
    ///   ``VaultError/Code/auditUnavailable``.
    public func findPupils(
        surname: PersonalValue, firstName: PersonalValue, birthDate: PersonalValue, purpose: String,
        request: AccessRequestToken? = nil, by requester: Requester
    ) async throws(VaultError) -> [SubjectToken] {
        let ring = try keys()
        let normalised = BlindIndex.normaliseNameAndBirthDate(
            surname: try FieldRules.normalise(surname, for: .surname), firstName: try FieldRules.normalise(firstName, for: .firstName),
            birthDate: try FieldRules.normalise(birthDate, for: .birthDate))
        return try await findPupils(
            .nameBirthDate, normalised: normalised, fields: [.surname, .firstName, .birthDate], purpose: purpose, request: request,
            requester: requester, ring: ring)
    }

    /// The search both forms share: by the blind index `kind` of the `normalised` text; `fields`
    /// are what the policy and the consent must release and what each per-pupil record names.
    private func findPupils(
        _ kind: BlindIndex.Kind, normalised: String, fields searched: [FieldName], purpose: String, request: AccessRequestToken?,
        requester: Requester, ring: KeyRing
    ) async throws(VaultError) -> [SubjectToken] {
        try checkRequest(requester: requester, purpose: purpose)
        guard request == nil || purpose == Self.accessRequestPurpose else {
            throw VaultError(.invalidRequest, reason: "a subject-access request is cited with purpose parent_request only")
        }
        let digest = try BlindIndex.digest(kind, normalised, key: ring.blindIndexKey)
        let hashed: String
        do {
            hashed = try AuditHashKey(sourceKey: ring.auditHashSource, version: 1).hash(normalised, field: kind.rawValue).description
        } catch {
            throw VaultError(.crypto, reason: error.description)
        }
        let now = clock.now
        let policySet = policies.current
        let names = searched.map(\.rawValue)
        return try await withTransaction { connection in
            let rows = try await connection.query(
                """
                SELECT s.token FROM vault.blind_indexes b JOIN vault.subjects s ON s.id = b.subject_id
                WHERE b.kind = \(kind.rawValue) AND b.digest = \(digest) AND s.erased_at IS NULL
                """)
            let tokens = try rows.map { try SubjectToken(parsing: try $0.decode(String.self, at: 0)) }
            let subjects = try await SubjectQueries.byTokens(tokens, on: connection).sorted { $0.token < $1.token }
            let consents = try await self.activeConsents(for: subjects.map(\.id), purpose: purpose, at: now, on: connection)
            let access = try await self.accessRequestCheck(purpose: purpose, request: request, on: connection)
            let audit = ReadAudit(
                requester: requester, purpose: purpose, requested: names, policyVersion: policySet.version, request: request)
            let guarded = self.accessGuard(requester, policySet: policySet, at: now, on: connection)
            var allowed: [SubjectToken] = []
            var reads: [PIIRead] = []
            for subject in subjects {
                // Allowed to search by the fields, or else to read them.
                var decision = await guarded.decide("search", subject.policyResource, fields: names, purpose: purpose)
                if !decision.isAllowed { decision = await guarded.decide("read", subject.policyResource, fields: names, purpose: purpose) }
                // Every searched field must be released (plain or masked): a search by a field the
                // requester may not see would test values it cannot read.
                let released = Set(decision.fields.filter { $0.treatment != .denied }.map(\.name))
                guard decision.isAllowed, released.isSuperset(of: names) else {
                    reads.append(audit.event(subject.token.rawValue, refusal: VaultError.policyDenied(decision)))
                    continue
                }
                if let refusal = access.refusal(for: subject) {
                    reads.append(audit.event(subject.token.rawValue, refusal: refusal))
                    continue
                }
                let consent: ActiveConsent
                switch try await guarded.consent(
                    for: subject, fields: searched, purpose: purpose, active: consents[subject.id] ?? [], coverage: .everyField)
                {
                case .success(let relied): consent = relied
                case .failure(let refusal):
                    reads.append(audit.event(subject.token.rawValue, refusal: refusal))
                    continue
                }
                reads.append(audit.event(subject.token.rawValue, returned: names, consent: consent.token))
                allowed.append(subject.token)
            }
            let search = PIISearched(
                actor: requester.actor, decision: allowed.isEmpty && !tokens.isEmpty ? .deny : .permit, purpose: purpose,
                field: kind.rawValue, value: hashed, resultCount: allowed.count)
            try await guarded.audit([search] + reads.map { $0 as any TypedAuditEvent })
            return allowed
        }
    }
}
