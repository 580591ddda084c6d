// The smartcard login page: the card agent has the card sign the server's challenge (the PIN
// goes only to the agent), then the agent's answer is posted to the server in a hidden field.
// An agent with its own PIN window asks for the PIN itself: then the page hides its PIN field
// and never sees the PIN. Messages come translated from the form's data-msg-* attributes.
(function () {
  "use strict";
  const form = document.getElementById("smartcard-login");
  if (!form || !window.FellesCardAgent) return;
  const pin = document.getElementById("smartcard-pin");
  const pinField = document.getElementById("smartcard-pin-field");
  const agentAsks = document.getElementById("smartcard-agent-pin");
  const errorBox = document.getElementById("smartcard-error");
  const errorText = document.getElementById("smartcard-error-text");
  const status = document.getElementById("smartcard-status");
  const button = form.querySelector("button[type=submit]");
  let busy = false;
  let pinEntry = null; // the agent's answer: a promise of "agent" or "page"

  // Asked on load; if the agent did not answer then, asked again when the citizen logs in.
  function whereThePinIsEntered() {
    if (!pinEntry) {
      pinEntry = window.FellesCardAgent.pinEntry(form.dataset.agentUrl).then(function (where) {
        if (where === "agent") {
          pin.value = "";
          pinField.hidden = true;
          agentAsks.textContent = form.dataset.msgAgentPin;
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

  function messageFor(error) {
    const key = "msg" + String(error.code || "failed").split("-").map(function (part) {
      return part.charAt(0).toUpperCase() + part.slice(1);
    }).join("");
    const text = form.dataset[key] || form.dataset.msgFailed;
    return text.replace("{tries}", String(error.triesLeft));
  }

  function showError(text) {
    status.textContent = "";
    errorText.textContent = text;
    errorBox.hidden = false;
  }

  function ready(where) {
    busy = false;
    button.disabled = false;
    if (where === "page") pin.focus();
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    if (busy) return;
    busy = true;
    button.disabled = true;
    let where = "page";
    try {
      where = await whereThePinIsEntered();
    } catch (error) {
      showError(messageFor(error));
      ready(where);
      return;
    }
    if (where === "page" && !/^[0-9]{4}$/.test(pin.value)) {
      showError(form.dataset.msgPinFormat);
      pin.setAttribute("aria-invalid", "true");
      ready(where);
      return;
    }
    pin.removeAttribute("aria-invalid");
    errorBox.hidden = true;
    status.textContent = form.dataset.msgWorking;
    try {
      const token = await window.FellesCardAgent.authenticate(
        form.dataset.agentUrl, form.dataset.challenge, where === "page" ? pin.value : undefined
      );
      pin.value = "";
      form.elements.token.value = JSON.stringify(token);
      form.submit();
    } catch (error) {
      pin.value = "";
      showError(messageFor(error));
      ready(where);
    }
  });

  whereThePinIsEntered().catch(function () {
    // Reported when the citizen tries to log in.
  });
})();
