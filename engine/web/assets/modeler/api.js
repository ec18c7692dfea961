// Calls of the Sløyfe JSON API from the modeler page, with the session cookie and the CSRF
// token that the page carries in data-csrf.

/** A failed API call; `message` is the problem's detail in the user's language when known. */
export class ApiError extends Error {
  constructor(message, status, problem) {
    super(message);
    this.status = status;
    this.problem = problem || {};
  }
}

/**
 * Send a request to `url` and return the parsed JSON answer (null for 204).
 * Throws ApiError with the problem's detail, or with `networkMessage` when no answer came.
 */
export async function callApi(root, method, url, body, networkMessage) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') {
    headers['X-CSRFToken'] = root.dataset.csrf || '';
  }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  let response;
  try {
    response = await fetch(url, {
      method,
      credentials: 'same-origin',
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    console.warn(`${method} ${url} failed:`, error);
    throw new ApiError(networkMessage || error.message, 0);
  }
  if (response.status === 204) {
    return null;
  }
  const payload = await response.json().catch(() => null);
  if (!response.ok) {
    const detail = payload && (payload.detail || payload.title);
    throw new ApiError(detail || `HTTP ${response.status}`, response.status, payload);
  }
  return payload;
}
