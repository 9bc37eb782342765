/**
 * The jobs' image can be pulled: an image in a private ECR repository
 * (`ACCOUNT.dkr.ecr.REGION.amazonaws.com/repo:tag`) is looked up with ecr:DescribeImages. Public
 * images (ECR Public, Docker Hub, other registries) are not checked: no call is made.
 * @see https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImages.html
 */
import { DescribeImagesCommand, type ImageIdentifier } from "@aws-sdk/client-ecr";
import { DEFAULT_IMAGE } from "../../compile/job-definition.js";
import type { PartialAwsSettings } from "../../deploy/aws-settings.js";
import { awsErrorName } from "../../deploy/errors.js";
import { lookupFailed } from "./aws-problem.js";
import { type CheckResult, fail, ok, settingRemedy, settingWords, skip, warn } from "./check-result.js";
import { isInvalid } from "./check-setting-values.js";
import type { DoctorClients } from "./doctor-clients.js";

const ID = "image";

export interface PrivateEcrImage {
  registry: string;
  account: string;
  region: string;
  repository: string;
  /** A tag or a digest (`sha256:…`); `latest` when the image names neither. */
  id: ImageIdentifier;
}

const PRIVATE_ECR =
  /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9][a-z0-9._/-]*?)(?::([\w][\w.-]{0,127})|@(sha256:[a-f0-9]{64}))?$/;

/** The parts of a private ECR image URI, or nothing for any other image. */
export function parsePrivateEcrImage(image: string): PrivateEcrImage | undefined {
  const match = PRIVATE_ECR.exec(image);
  if (!match) return undefined;
  const [, account, region, repository, tag, digest] = match;
  return {
    registry: image.split("/")[0]!,
    account: account!,
    region: region!,
    repository: repository!,
    id: digest ? { imageDigest: digest } : { imageTag: tag ?? "latest" },
  };
}

/** Docker Hub: a name with no registry host (`node:22`, `library/node`) or docker.io's. */
function isDockerHub(image: string): boolean {
  const first = image.split("/")[0]!;
  const hasHost =
    image.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  return !hasHost || /^(docker\.io|index\.docker\.io|registry-1\.docker\.io)$/.test(first);
}

export async function checkImage(clients: DoctorClients, settings: PartialAwsSettings): Promise<CheckResult> {
  const image = settings.image || DEFAULT_IMAGE;
  const subject = `image ${image}`;
  if (isInvalid(settings, "image"))
    return skip(ID, subject, "not checked: the image setting is not valid (see its line)");
  const ecr = parsePrivateEcrImage(image);
  if (!ecr) {
    if (image.startsWith("public.ecr.aws/"))
      return skip(ID, subject, "on ECR Public: not checked (no call is made)");
    if (isDockerHub(image)) {
      return warn(
        ID,
        subject,
        "on Docker Hub, not checked: Docker Hub limits anonymous pulls per IP address, so a wide foreach on fresh instances can fail to start",
        `use AWS's mirror of official images, e.g. ${settingRemedy("image", DEFAULT_IMAGE)}`,
      );
    }
    return skip(ID, subject, "not in a private ECR repository: not checked (no call is made)");
  }
  const reference = ecr.id.imageDigest ?? `tag ${ecr.id.imageTag}`;
  try {
    const answer = await clients.ecr(ecr.region).send(
      new DescribeImagesCommand({
        registryId: ecr.account,
        repositoryName: ecr.repository,
        imageIds: [ecr.id],
      }),
    );
    const found = answer.imageDetails?.[0];
    if (!found) throw Object.assign(new Error("no image"), { name: "ImageNotFoundException" });
    return ok(ID, subject, `found in ${ecr.repository} (${found.imageDigest ?? reference})`);
  } catch (error) {
    const login = `aws ecr get-login-password --region ${ecr.region} | docker login --username AWS --password-stdin ${ecr.registry}`;
    if (awsErrorName(error) === "RepositoryNotFoundException") {
      return fail(
        ID,
        subject,
        `repository '${ecr.repository}' does not exist in ${ecr.account} (${ecr.region})`,
        `aws ecr create-repository --repository-name ${ecr.repository} --region ${ecr.region}, then ${login} and docker push ${image}`,
      );
    }
    if (awsErrorName(error) === "ImageNotFoundException") {
      return fail(
        ID,
        subject,
        `no image with ${reference} in repository '${ecr.repository}'`,
        `push it: ${login}, then docker push ${image}; or ${settingRemedy("image")}`,
      );
    }
    return lookupFailed(ID, subject, "ecr:DescribeImages", error, settingWords("image"));
  }
}
