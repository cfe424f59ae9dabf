// A form sent back with errors: the focus goes to the first field in error, so that a keyboard or screen reader user
// lands on it and hears its label and error (aria-describedby); without one, to the form's own error message.
(function () {
  const field = document.querySelector('[aria-invalid="true"]');
  if (field) {
    const control = field.matches("fieldset") ? field.querySelector("input, select, textarea") : field;
    (control || field).focus();
    return;
  }
  const message = document.querySelector('form .form-error[role="alert"]');
  if (message) {
    message.setAttribute("tabindex", "-1");
    message.focus();
  }
})();
