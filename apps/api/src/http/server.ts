// The API's HTTP server: Node's own, whose request and response objects are created with the
// Express app's prototypes. Express gives every request and response its prototypes with
// Object.setPrototypeOf, which reshapes a plain IncomingMessage and ServerResponse on every
// request (about a microsecond each); an object that already has them is left as it is.
import { createServer, IncomingMessage, ServerResponse, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Express } from 'express';

export function createHttpServer(app: Express): Server {
  // Function constructors, not classes: an instance's prototype must be the app's object itself.
  function AppRequest(socket: Socket): IncomingMessage {
    return Reflect.construct(IncomingMessage, [socket], AppRequest) as IncomingMessage;
  }
  AppRequest.prototype = app.request;
  function AppResponse(req: IncomingMessage, options?: object): ServerResponse {
    return Reflect.construct(ServerResponse, [req, options], AppResponse) as ServerResponse;
  }
  AppResponse.prototype = app.response;
  return createServer(
    {
      IncomingMessage: AppRequest as unknown as typeof IncomingMessage,
      ServerResponse: AppResponse as unknown as typeof ServerResponse,
    },
    app,
  );
}
