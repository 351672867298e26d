// GnuTLS
