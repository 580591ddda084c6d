// A relying party Felles did not write: node openid-client 6 (npm), used only through its documented
// API, logging a citizen in to Felles' ID-porten. tests/clients/test_idporten_clients.py runs it.
//
// Usage: node idporten_rp.mjs '<settings as JSON>'
//   settings: issuer, client_id, redirect_uri, post_logout_redirect_uri, scope, and
//   mode: "par"      - PAR (buildAuthorizationUrlWithPAR) with private_key_jwt (private_jwk, kid)
//         "defaults" - openid-client's defaults: buildAuthorizationUrl, ClientSecretPost (client_secret)
//         "quickstart" - as "defaults", with the parameters of openid-client's quick start only: no
//                      state and no nonce (it sends them only when the server lacks PKCE). ID-porten's
//                      profile requires both, so this prints {"refused": ...}: what openid-client saw.
//         "public"   - a public client (a single-page or mobile app): client.None(), PKCE alone, no
//                      PAR; it gets no refresh token, so only the login, userinfo and revocation are used
//   id_token_signed_response_alg (optional): the client's registered algorithm of ID tokens (RS256).
//   request_object (optional, with mode "par"): the parameters go in a request object (JAR) signed
//                      with the client's key, "pushed" (prints {"refused": ...}) or "by_value" in the
//                      authorization URL (prints the URL and stops).
//   max_age (optional): sent in the authorization request, and openid-client checks auth_time.
//
// It prints one JSON line {"authorization_url": ...}, reads the URL the browser was sent back to on
// stdin (one line), then finishes the login and prints one JSON line with what it saw. A failure
// prints {"error": ...} and exits with 1.

import { createInterface } from "node:readline";

import * as client from "openid-client";

const settings = JSON.parse(process.argv[2]);

function print(value) {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

async function readLine() {
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    lines.close();
    return line.trim();
  }
  throw new Error("no callback URL on stdin");
}

// The client's private key (the test registered its public half) as openid-client takes it.
async function privateKey() {
  const algorithm =
    settings.private_jwk.kty === "EC"
      ? { name: "ECDSA", namedCurve: "P-256" } // ES256
      : { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }; // RS256
  const key = await crypto.subtle.importKey("jwk", settings.private_jwk, algorithm, false, ["sign"]);
  return { key, kid: settings.kid };
}

async function clientAuthentication() {
  if (settings.mode === "public") {
    return client.None();
  }
  if (settings.mode !== "par") {
    return undefined; // the documented default: ClientSecretPost, as the metadata has a client_secret
  }
  return client.PrivateKeyJwt(await privateKey());
}

// Catch an openid-client refusal and keep what the server answered, so that the test can assert it.
async function refusal(promise) {
  try {
    await promise;
    return null;
  } catch (error) {
    return {
      name: error.name,
      code: error.code,
      // an OAuth error body, or a WWW-Authenticate challenge's (RFC 6750 section 3)
      error: error.error ?? error.cause?.error ?? error.cause?.[0]?.parameters?.error ?? null,
      error_description: error.error_description ?? error.cause?.error_description ?? null,
    };
  }
}

async function main() {
  const metadata = ["par", "public"].includes(settings.mode)
    ? { client_id: settings.client_id }
    : { client_secret: settings.client_secret };
  if (settings.id_token_signed_response_alg) {
    metadata.id_token_signed_response_alg = settings.id_token_signed_response_alg; // as registered
  }
  const config = await client.discovery(
    new URL(settings.issuer),
    settings.client_id,
    metadata,
    await clientAuthentication(),
    // The live test server is http://localhost:<port>. openid-client refuses plain http unless told;
    // this is allowed here for that local test issuer only (ID-porten itself is https).
    { execute: [client.allowInsecureRequests] },
  );
  const server = config.serverMetadata();

  const codeVerifier = client.randomPKCECodeVerifier();
  const parameters = {
    redirect_uri: settings.redirect_uri,
    scope: settings.scope,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: "S256",
  };
  if (settings.mode !== "quickstart") {
    // ID-porten's profile requires state and nonce even with PKCE (openid-client's quick start
    // leaves them out when the server supports PKCE).
    parameters.state = client.randomState();
    parameters.nonce = client.randomNonce();
  }
  if (settings.max_age !== undefined) {
    parameters.max_age = String(settings.max_age);
  }
  if (settings.request_object) {
    // JAR (RFC 9101): the parameters signed into a request object, which openid-client's documented
    // way then pushes (PAR) or sends by value in the authorization URL. Felles refuses request objects.
    const { searchParams } = await client.buildAuthorizationUrlWithJAR(config, parameters, await privateKey());
    if (settings.request_object === "by_value") {
      print({ authorization_url: client.buildAuthorizationUrl(config, searchParams).href });
      return;
    }
    print({ refused: await refusal(client.buildAuthorizationUrlWithPAR(config, searchParams)) });
    return;
  }
  const authorizationUrl =
    settings.mode === "par"
      ? await client.buildAuthorizationUrlWithPAR(config, parameters)
      : client.buildAuthorizationUrl(config, parameters);
  print({ authorization_url: authorizationUrl.href });

  const callback = new URL(await readLine());
  // Checks iss (RFC 9207, as the metadata advertises it), state, the PKCE verifier, the ID token's
  // signature against the JWKS, its iss, aud, exp, iat, nonce and, with maxAge, auth_time.
  const grant = client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: codeVerifier,
    expectedState: parameters.state,
    expectedNonce: parameters.nonce,
    idTokenExpected: true,
    ...(settings.max_age !== undefined ? { maxAge: settings.max_age } : {}),
  });
  if (settings.mode === "quickstart") {
    print({ refused: await refusal(grant) });
    return;
  }
  const tokens = await grant;
  const claims = tokens.claims();
  const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  if (settings.mode === "public") {
    // RFC 7009 section 2.1: a public client revokes its own token with its client_id alone.
    await client.tokenRevocation(config, tokens.access_token);
    print({
      callback_iss: callback.searchParams.get("iss"),
      id_token_claims: claims,
      userinfo,
      refresh_token_issued: tokens.refresh_token !== undefined,
      userinfo_after_revocation: await refusal(client.fetchUserInfo(config, tokens.access_token, claims.sub)),
    });
    return;
  }
  const introspected = await client.tokenIntrospection(config, tokens.access_token);

  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  const refreshedUserinfo = await client.fetchUserInfo(
    config,
    refreshed.access_token,
    refreshed.claims()?.sub ?? claims.sub,
  );
  const refreshIntrospected = await client.tokenIntrospection(config, refreshed.refresh_token);

  await client.tokenRevocation(config, refreshed.refresh_token);
  const afterRevocation = {
    refresh_token: await client.tokenIntrospection(config, refreshed.refresh_token),
    access_token: await client.tokenIntrospection(config, refreshed.access_token),
    refresh: await refusal(client.refreshTokenGrant(config, refreshed.refresh_token)),
  };

  const endSessionUrl = client.buildEndSessionUrl(config, {
    id_token_hint: tokens.id_token,
    post_logout_redirect_uri: settings.post_logout_redirect_uri,
    state: client.randomState(),
  });

  print({
    issuer: server.issuer,
    pushed_authorization_request_endpoint: server.pushed_authorization_request_endpoint ?? null,
    callback_iss: callback.searchParams.get("iss"),
    token_type: tokens.token_type,
    expires_in: tokens.expiresIn(),
    scope: tokens.scope ?? null,
    id_token_header: JSON.parse(Buffer.from(tokens.id_token.split(".")[0], "base64url").toString()),
    id_token_claims: claims,
    userinfo,
    introspected,
    refreshed: {
      has_access_token: Boolean(refreshed.access_token),
      new_refresh_token: Boolean(refreshed.refresh_token) && refreshed.refresh_token !== tokens.refresh_token,
      id_token_claims: refreshed.claims() ?? null,
    },
    refreshed_userinfo: refreshedUserinfo,
    refresh_introspected: refreshIntrospected,
    after_revocation: afterRevocation,
    end_session_url: endSessionUrl.href,
    // RP-Initiated Logout 1.0 section 2 without id_token_hint: openid-client adds client_id.
    end_session_url_without_hint: client.buildEndSessionUrl(config, {
      post_logout_redirect_uri: settings.post_logout_redirect_uri,
      state: client.randomState(),
    }).href,
  });
}

main().catch((error) => {
  print({ error: `${error.name}: ${error.message}`, code: error.code ?? null, cause: error.cause ?? null });
  process.exit(1);
});
