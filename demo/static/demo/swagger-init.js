// The API documentation page: Swagger UI on the schema that drf-spectacular serves. Kept in a
// file of our own because the Content-Security-Policy allows no inline scripts.
(function () {
  const container = document.querySelector("[data-schema-url]");
  if (!container || typeof window.SwaggerUIBundle !== "function") return;
  window.SwaggerUIBundle({
    url: container.getAttribute("data-schema-url"),
    domNode: container,
  });
})();
