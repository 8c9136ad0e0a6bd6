// LTI Dynamic Registration: tell the platform the tool is registered, so it closes its dialog.
(window.opener || window.parent).postMessage({ subject: "org.imsglobal.lti.close" }, "*");
