// The dev LMS's hand-over pages (OIDC login initiation, id_token form_post) submit themselves like a real
// LMS's do; the visible button is the way through without JavaScript.
document.querySelectorAll("form[data-autosubmit]").forEach((form) => form.submit());
