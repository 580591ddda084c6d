// The signing page: the card's certificate from the card agent, the digest to sign from the server
// (which keeps what it stands for), the card's signature over it through FellesCardAgent
// (static/smartcard/agent.js; the PIN goes to the agent only), and the signature back to the
// server. An agent with its own PIN window asks for the PIN itself: then the page hides its PIN
// field and never sees the PIN. Messages come translated from the page.
(function () {
  "use strict";
  const form = document.getElementById("signering-sign");
  if (!form) return;
  const messages = JSON.parse(document.getElementById("signering-messages").textContent);
  const agentUrl = form.dataset.agentUrl.replace(/\/+$/, "");
  const pin = document.getElementById("signering-pin");
  const pinField = document.getElementById("signering-pin-field");
  const agentAsks = document.getElementById("signering-agent-pin");
  const errorBox = document.getElementById("signering-error");
  const working = document.getElementById("signering-working");
  const button = form.querySelector("button[type=submit]");
  const csrfToken = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  form.hidden = false;
  let pinEntry = null; // the agent's answer: a promise of "agent" or "page"

  // Asked on load; if the agent did not answer then, asked again when the citizen signs.
  function whereThePinIsEntered() {
    if (!pinEntry) {
      pinEntry = FellesCardAgent.pinEntry(agentUrl).then(function (where) {
        if (where === "agent") {
          pin.value = "";
          pinField.hidden = true;
          agentAsks.textContent = form.dataset.agentPin;
          agentAsks.hidden = false;
        }
        return where;
      });
      pinEntry.catch(function () {
        pinEntry = null;
      });
    }
    return pinEntry;
  }

  function Failure(message) {
    this.message = message;
  }

  // The certificate comes first: the signed attributes name it (signingCertificateV2).
  // agent.js has no call for /certificate yet, so it is made here the way agent.js makes its calls.
  async function cardCertificate() {
    let response;
    try {
      response = await fetch(agentUrl + "/certificate", {
        method: "POST",
        mode: "cors",
        credentials: "omit",
        cache: "no-store",
      });
    } catch (error) {
      throw new FellesCardAgent.CardAgentError("agent-unreachable", String(error));
    }
    const body = await response.json().catch(function () {
      return null;
    });
    if (!response.ok || !body || body.error) {
      throw new FellesCardAgent.CardAgentError((body && body.error) || "bad-response", body && body.message);
    }
    return body.certificate;
  }

  function describe(failure) {
    if (failure instanceof Failure) return failure.message;
    if (failure instanceof FellesCardAgent.CardAgentError) {
      const text = messages[failure.code] || messages.unknown;
      return text.replace("{tries}", String(failure.triesLeft));
    }
    return messages.unknown;
  }

  async function callServer(url, body) {
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
        body: JSON.stringify(body),
      });
    } catch (networkError) {
      throw new Failure(messages.unknown);
    }
    const answer = await response.json().catch(function () {
      return {};
    });
    if (!response.ok) throw new Failure(answer.message || messages.unknown);
    return answer;
  }

  function showError(message) {
    working.textContent = "";
    errorBox.replaceChildren();
    const alert = document.createElement("div");
    alert.className = "ds-alert";
    alert.dataset.color = "danger";
    const text = document.createElement("p");
    text.className = "ds-paragraph";
    text.textContent = message;
    alert.appendChild(text);
    errorBox.appendChild(alert);
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    if (button.disabled) return;
    button.disabled = true;
    let where = "page";
    try {
      where = await whereThePinIsEntered();
    } catch (failure) {
      showError(describe(failure));
      button.disabled = false;
      return;
    }
    if (where === "page" && !pin.value) {
      showError(messages["no-pin"]);
      button.disabled = false;
      pin.focus();
      return;
    }
    errorBox.replaceChildren();
    working.textContent = working.dataset.working;
    try {
      const certificate = await cardCertificate();
      const prepared = await callServer(form.dataset.prepareUrl, { certificate: certificate });
      const code = where === "page" ? pin.value : undefined;
      pin.value = "";
      const signed = await FellesCardAgent.sign(agentUrl, prepared.digest, code);
      const done = await callServer(form.dataset.completeUrl, {
        signature: signed.signature,
        certificate: signed.certificate,
      });
      window.location.assign(done.receipt);
    } catch (failure) {
      pin.value = "";
      showError(describe(failure));
      button.disabled = false;
      if (where === "page") pin.focus();
    }
  });

  whereThePinIsEntered().catch(function () {
    // Reported when the citizen tries to sign.
  });
})();
