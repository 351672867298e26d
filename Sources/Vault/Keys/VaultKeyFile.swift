/// Master-key files for unsealing with `--key-file`.
public enum VaultKeyFile {
    /// Creates a new key file at `path` (mode 0600, refusing to overwrite) holding 32 random bytes
    /// as 64 hex digits.
    ///
    /// - Throws: ``VaultError/Code/keyFileRejected``, ``VaultError/Code/crypto``.
    public static func generate(at path: String) throws(VaultError) {
        try KeyFile.generate(at: path)
    }
}
