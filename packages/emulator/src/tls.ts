import { createPrivateKey, webcrypto } from 'node:crypto';

const DAY_MS = 24 * 3600 * 1000;
const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

/**
 * Generates a self-signed ECDSA P-256 certificate for `localhost`,
 * `127.0.0.1` and `::1` (a server certificate, not a CA), valid from a day
 * ago for 825 days. Built with @peculiar/x509 over Node's WebCrypto; no
 * openssl binary is needed.
 */
export async function selfSignedCertificate(commonName = 'pcloudkit emulator'): Promise<{ key: string; cert: string }> {
  // @peculiar/x509 needs the Reflect metadata polyfill; load both only when a
  // certificate is asked for, so importing the emulator changes no globals.
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  const keys = await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name: [{ CN: [commonName] }],
      keys,
      signingAlgorithm: EC_P256,
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + 825 * DAY_MS),
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.SubjectAlternativeNameExtension([
          { type: 'dns', value: 'localhost' },
          { type: 'ip', value: '127.0.0.1' },
          { type: 'ip', value: '::1' },
        ]),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      ],
    },
    webcrypto as unknown as Crypto,
  );
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }).toString();
  return { key, cert: cert.toString('pem') };
}
