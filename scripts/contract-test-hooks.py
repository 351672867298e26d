"""Schemathesis hooks for scripts/contract-test: how to send the bodies bilet takes besides JSON."""

import schemathesis

# PEM signing requests and CSV files are text: sent as UTF-8 bytes, as text/plain bodies are.
schemathesis.serializer.alias(["application/pkcs10", "text/csv"], "text/plain")
