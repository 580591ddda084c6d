// The card agent's HTTP API, for any Felles page that uses a smartcard. The agent runs on the
// citizen's own machine; the PIN goes to it and to the card, never to Felles.
//
//   FellesCardAgent.authenticate(agentUrl, challenge, pin)  -> Web eID authentication token
//   FellesCardAgent.sign(agentUrl, digestBase64, pin)       -> {signature, algorithm, certificate}
//   FellesCardAgent.status(agentUrl)                        -> the agent's status
//   FellesCardAgent.pinEntry(agentUrl)                      -> "agent" or "page"
//
// pinEntry says who asks for the PIN: "agent" when the agent asks in its own window (started with
// --pinentry; then leave out `pin`, the page must not collect it), "page" when the page sends it.
// Each returns a promise. A failure rejects with a FellesCardAgent.CardAgentError whose `code` is
// the agent's error code (no-reader, no-card, wrong-pin, pin-blocked, pin-cancelled, pin-timeout,
// card-removed, not-eid-card, bad-request, forbidden-origin), or "agent-unreachable" when no agent
// answers; `triesLeft` comes with wrong-pin.
(function (global) {
  "use strict";

  class CardAgentError extends Error {
    constructor(code, message, triesLeft) {
      super(message || code);
      this.name = "CardAgentError";
      this.code = code;
      this.triesLeft = triesLeft;
    }
  }

  async function call(agentUrl, path, init) {
    let response;
    try {
      response = await fetch(agentUrl.replace(/\/+$/, "") + path, {
        ...init,
        mode: "cors",
        credentials: "omit",
        cache: "no-store",
      });
    } catch (error) {
      throw new CardAgentError("agent-unreachable", String(error));
    }
    let body = null;
    try {
      body = await response.json();
    } catch (error) {
      body = null;
    }
    if (!response.ok || !body || body.error) {
      throw new CardAgentError(
        (body && body.error) || "bad-response",
        body && body.message,
        body && body.triesLeft
      );
    }
    return body;
  }

  function post(agentUrl, path, payload) {
    return call(agentUrl, path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(payload),
    });
  }

  // Without a pin (an agent that asks for it itself) the body has no "pin" at all.
  function withPin(payload, pin) {
    if (pin !== undefined && pin !== null) payload.pin = pin;
    return payload;
  }

  global.FellesCardAgent = {
    CardAgentError: CardAgentError,
    status: function (agentUrl) {
      return call(agentUrl, "/status", { method: "GET" });
    },
    pinEntry: async function (agentUrl) {
      const status = await call(agentUrl, "/status", { method: "GET" });
      return status.pinEntry === "agent" ? "agent" : "page";
    },
    authenticate: function (agentUrl, challenge, pin) {
      return post(agentUrl, "/authenticate", withPin({ challenge: challenge }, pin));
    },
    sign: function (agentUrl, digestBase64, pin) {
      return post(agentUrl, "/sign", withPin({ digest: digestBase64, hashFunction: "SHA-256" }, pin));
    },
  };
})(window);
