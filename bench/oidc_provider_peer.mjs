// The benchmark's peer: node oidc-provider 9 in one process, with its built-in development interactions
// (a login form that takes any user name, then a consent form), one confidential client that must use
// PKCE, and everything kept in memory (its default adapter). bench/idporten_login.py starts it:
//
//   node bench/oidc_provider_peer.mjs <port> <client_id> <client_secret> <redirect_uri>
//
// It prints "listening" when it is ready.
import Provider from "oidc-provider";

const [port, clientId, clientSecret, redirectUri] = process.argv.slice(2);
const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  pkce: { required: () => true }, // S256 is the only method it accepts by default
  features: { devInteractions: { enabled: true } },
  claims: { openid: ["sub"], pid: ["pid"] },
  findAccount: async (_ctx, id) => ({
    accountId: id,
    claims: async () => ({ sub: id, pid: id }),
  }),
  cookies: { keys: ["felles-bench-peer-only"] },
});
// Its own logging of every development-interaction warning would cost the peer CPU the bench counts.
provider.on("server_error", (_ctx, error) => console.error(error));
provider.listen(Number(port), "127.0.0.1", () => console.log("listening"));
