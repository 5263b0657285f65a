"""Request bodies for the size limits: a chunked body of any size, made as it is read and counting what was read."""

BOUNDARY = "tanjichunked"
SLACK = 128 * 1024  # a parser reads in chunks: it may read one chunk past the limit before it stops


class ChunkedBody:
    """A body of `size` bytes with no Content-Length, made as it is read, that counts what was read of it."""

    def __init__(self, head: bytes, size: int):
        self.head, self.size, self.consumed = head, size, 0

    def read(self, n: int = -1) -> bytes:
        n = self.size - self.consumed if n is None or n < 0 else min(n, self.size - self.consumed)
        start, self.consumed = self.consumed, self.consumed + n
        head = self.head[start:start + n]
        return head + b"0" * (n - len(head))

    def readline(self, limit: int = -1) -> bytes:
        return self.read(limit if limit and limit > 0 else 64 * 1024)

    # The test client measures the stream for a Content-Length, which Transfer-Encoding: chunked then overrides.
    def tell(self) -> int:
        return self.consumed

    def seek(self, offset: int, whence: int = 0) -> None:
        self.consumed = self.size if whence == 2 else offset


def multipart_upload(csrf_token: str, size: int) -> ChunkedBody:
    """A form with its CSRF token and one file, `size` bytes in all (multipart/form-data; boundary=BOUNDARY)."""
    return ChunkedBody((f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
                        f'{csrf_token}\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
                        f'filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n').encode(), size)
