// The smartcard login page: the card agent has the card sign the server's challenge (the PIN
// goes only to the agent), then the agent's answer is posted to the server in a hidden field.
// Messages come translated from the form's data-msg-* attributes.
(function () {
  "use strict";
  const form = document.getElementById("smartcard-login");
  if (!form || !window.FellesCardAgent) return;
  const pin = document.getElementById("smartcard-pin");
  const errorBox = document.getElementById("smartcard-error");
  const errorText = document.getElementById("smartcard-error-text");
  const status = document.getElementById("smartcard-status");
  const button = form.querySelector("button[type=submit]");
  let busy = false;

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

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    if (busy) return;
    if (!/^[0-9]{4}$/.test(pin.value)) {
      showError(form.dataset.msgPinFormat);
      pin.setAttribute("aria-invalid", "true");
      pin.focus();
      return;
    }
    pin.removeAttribute("aria-invalid");
    busy = true;
    button.disabled = true;
    errorBox.hidden = true;
    status.textContent = form.dataset.msgWorking;
    try {
      const token = await window.FellesCardAgent.authenticate(
        form.dataset.agentUrl, form.dataset.challenge, pin.value
      );
      pin.value = "";
      form.elements.token.value = JSON.stringify(token);
      form.submit();
    } catch (error) {
      pin.value = "";
      showError(messageFor(error));
      busy = false;
      button.disabled = false;
      pin.focus();
    }
  });
})();
