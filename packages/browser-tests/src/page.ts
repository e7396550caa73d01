/**
 * The test page: a small single-page app built from the packages' sources
 * the way a web developer would use them (core, transport-fetch, method
 * plugins and the browser sign-in). test/browser.test.ts bundles it with
 * esbuild for the browser, serves it, and drives it in Chromium.
 *
 * Sign-in: two buttons, popup and redirect, against the authorize page given
 * in the config; the outcome goes into `#signin` (`data-status` `signed-in`
 * or `failed`). Files: `window.pcloudkitTest.roundTrip(token)` lists the
 * root, uploads a file with progress and downloads it back.
 */
import { createClient, type CoreClient } from '@pcloudkit/core';
import { file } from '@pcloudkit/methods-file';
import { folder } from '@pcloudkit/methods-folder';
import { general } from '@pcloudkit/methods-general';
import { OAuth2Error } from '@pcloudkit/methods-oauth2';
import { finishSignIn, signInWithPopup, startSignIn, type BrowserSignInWithClient } from '@pcloudkit/methods-oauth2/browser';
import { streaming } from '@pcloudkit/methods-streaming';
import { download, fetchTransport } from '@pcloudkit/transport-fetch';

/** Written into the page by the test server. */
interface PageConfig {
  /** The emulator's API origin, e.g. `http://127.0.0.1:41234`. */
  api: string;
  clientId: string;
}

const config = JSON.parse(document.getElementById('config')!.textContent!) as PageConfig;
const transport = fetchTransport();
const status = document.getElementById('signin')!;

/** What the page shows once signed in: who, and where the client talks to. */
async function showSignedIn(result: BrowserSignInWithClient, flow: string): Promise<void> {
  const me = await result.client.use(general).userinfo();
  status.dataset.status = 'signed-in';
  status.textContent = JSON.stringify({
    flow,
    email: me.email,
    userid: me.userid,
    uid: result.uid,
    locationid: result.locationid,
    hostname: result.hostname,
    api: result.region.api,
    tokenLength: result.accessToken.length,
  });
  await result.client.close();
}

function showFailure(error: unknown, flow: string): void {
  status.dataset.status = 'failed';
  status.textContent = JSON.stringify({
    flow,
    name: error instanceof Error ? error.name : typeof error,
    reason: error instanceof OAuth2Error ? error.reason : undefined,
    oauthError: error instanceof OAuth2Error ? error.oauthError : undefined,
    message: error instanceof Error ? error.message : String(error),
  });
}

// Every load of the page: finish a redirect sign-in, or (inside the popup)
// hand the answer to the window that opened it.
try {
  const result = finishSignIn({ transport });
  if (result) await showSignedIn(result, 'redirect');
} catch (error) {
  showFailure(error, 'redirect');
}

document.getElementById('popup-signin')!.addEventListener('click', () => {
  status.dataset.status = 'waiting';
  // Called straight from the click, so the popup is not blocked.
  signInWithPopup({ clientId: config.clientId, authorizeOrigin: config.api, transport, timeout: 60_000 }).then(
    (result) => showSignedIn(result, 'popup'),
    (error: unknown) => showFailure(error, 'popup'),
  );
});

document.getElementById('redirect-signin')!.addEventListener('click', () => {
  startSignIn({ clientId: config.clientId, authorizeOrigin: config.api });
});

/** Bytes of a recognisable pattern, different in every block. */
function pattern(size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + (i >>> 11)) & 0xff;
  return bytes;
}

async function roundTrip(token: string, size: number) {
  const client: CoreClient = createClient({ transport: fetchTransport(), region: { api: [config.api] }, auth: { accessToken: token } });
  try {
    const api = client.use(folder).use(file).use(streaming);
    const root = await api.listfolder({ folderid: 0 });
    const listed = (root.metadata.contents ?? []).map((m) => m.name);

    const bytes = pattern(size);
    const progress: Array<{ loaded: number; total: number }> = [];
    const name = `from-the-browser-${Date.now()}.bin`;
    const uploaded = await api.uploadfile(
      { folderid: 0 },
      {
        files: [{ name, data: new Blob([bytes], { type: 'application/octet-stream' }) }],
        onUploadProgress: ({ loaded, total }) => progress.push({ loaded, total: total ?? -1 }),
      },
    );
    const meta = uploaded.metadata[0]!;

    const link = await api.getfilelink({ fileid: meta.fileid });
    const got = await download(link, { scheme: 'http' });
    const back = new Uint8Array(await new Response(got.body).arrayBuffer());
    let firstDifference = -1;
    for (let i = 0; i < Math.max(back.length, bytes.length); i++) {
      if (back[i] !== bytes[i]) {
        firstDifference = i;
        break;
      }
    }
    return {
      listed,
      name,
      storedName: meta.name,
      storedSize: Number(meta.size),
      fileid: Number(meta.fileid),
      progress,
      downloadedFrom: got.url,
      downloadedLength: back.length,
      firstDifference,
    };
  } finally {
    await client.close();
  }
}

declare global {
  interface Window {
    pcloudkitTest: { roundTrip: typeof roundTrip };
  }
}
window.pcloudkitTest = { roundTrip };
document.body.dataset.ready = 'true';
